import { IdSchema } from '@agentmon/contracts';
import { newId, toWireId } from './wire-id';

describe('newId', () => {
  it('yields 32 hex characters that fit the contract id, and differs each time', () => {
    const ids = new Set(Array.from({ length: 1000 }, newId));
    expect(ids.size).toBe(1000);
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      expect(IdSchema.safeParse(id).success).toBe(true);
    }
  });
});

describe('toWireId', () => {
  it('keeps an id the contract accepts', () => {
    expect(toWireId('user:42')).toBe('user:42');
  });

  it('replaces an id outside the charset by a stable hash that fits', () => {
    const hashed = toWireId('ada@example.com');
    expect(hashed).toMatch(/^h:[0-9a-f]{40}$/);
    expect(toWireId('ada@example.com')).toBe(hashed);
    expect(toWireId('bob@example.com')).not.toBe(hashed);
    expect(IdSchema.safeParse(hashed).success).toBe(true);
    expect(IdSchema.safeParse(toWireId('x'.repeat(500))).success).toBe(true);
  });
});

import { Limits, SpanAttributesIngestSchema } from '@agentmon/contracts';
import { mergeAttributes, sanitizeAttribute } from './sanitize-attributes';

describe('sanitizeAttribute', () => {
  it('keeps token counts only as non-negative integers', () => {
    expect(sanitizeAttribute('input_tokens', 12)).toBe(12);
    expect(sanitizeAttribute('input_tokens', -1)).toBeUndefined();
    expect(sanitizeAttribute('output_tokens', 1.5)).toBeUndefined();
    expect(sanitizeAttribute('cache_read_tokens', '3')).toBeUndefined();
  });

  it('cuts known and free-form strings to their limits', () => {
    expect(sanitizeAttribute('model', 'm'.repeat(500))).toHaveLength(Limits.modelMaxChars);
    expect(sanitizeAttribute('stop_reason', 's'.repeat(100))).toHaveLength(
      Limits.stopReasonMaxChars,
    );
    expect(sanitizeAttribute('note', 'n'.repeat(5000))).toHaveLength(
      Limits.attributeStringMaxChars,
    );
  });

  it('drops invalid keys, non-finite numbers and empty values', () => {
    expect(sanitizeAttribute('has space', 1)).toBeUndefined();
    expect(sanitizeAttribute('ratio', Number.NaN)).toBeUndefined();
    expect(sanitizeAttribute('ratio', null)).toBeUndefined();
    expect(sanitizeAttribute('model', '')).toBeUndefined();
    expect(sanitizeAttribute('flag', false)).toBe(false);
  });
});

describe('mergeAttributes', () => {
  it('stops adding new keys at the contract bound but still updates existing ones', () => {
    const target = {};
    mergeAttributes(target, Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`k${i}`, i])));
    expect(Object.keys(target)).toHaveLength(Limits.attributeMaxKeys);
    mergeAttributes(target, { k0: 'updated', extra: 1 });
    expect(target).toMatchObject({ k0: 'updated' });
    expect(target).not.toHaveProperty('extra');
    expect(SpanAttributesIngestSchema.safeParse(target).success).toBe(true);
  });
});

import { DeadLetterValueSchema, encodeDeadLetterValue } from './dead-letter.schema';
import { Limits } from './limits';

describe('encodeDeadLetterValue', () => {
  it.each([
    [
      'utf8 text',
      '{"a":1}',
      { encoding: 'utf8', data: '{"a":1}', truncated: false, size_bytes: 7 },
    ],
    [
      'utf8 bytes',
      Buffer.from('héllo'),
      { encoding: 'utf8', data: 'héllo', truncated: false, size_bytes: 6 },
    ],
    [
      'binary',
      Uint8Array.from([0xff, 0xfe, 0x00]),
      { encoding: 'base64', data: '//4A', truncated: false, size_bytes: 3 },
    ],
    ['a tombstone', null, null],
  ])('encodes %s', (_label, raw, expected) => {
    expect(encodeDeadLetterValue(raw)).toEqual(expected);
  });

  it.each([
    ['text', 'x'.repeat(Limits.deadLetterValueMaxChars + 10)],
    ['binary', Buffer.alloc(Limits.deadLetterValueMaxChars, 0xff)],
  ])('caps oversize %s and still passes the schema', (_label, raw) => {
    const value = encodeDeadLetterValue(raw)!;
    expect(value.truncated).toBe(true);
    expect(DeadLetterValueSchema.safeParse(value).success).toBe(true);
  });
});

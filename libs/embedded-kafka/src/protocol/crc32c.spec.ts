import { crc32c } from './crc32c';

function bytewise(buf: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of buf) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe('crc32c', () => {
  // RFC 3720 appendix B.4 test vectors plus the classic check value.
  it.each([
    ['123456789', Buffer.from('123456789'), 0xe3069283],
    ['32 zero bytes', Buffer.alloc(32, 0), 0x8a9136aa],
    ['32 0xff bytes', Buffer.alloc(32, 0xff), 0x62a8ab43],
    ['0..31 ascending', Buffer.from(Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e],
    ['31..0 descending', Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c],
    ['empty', Buffer.alloc(0), 0],
  ])('%s', (_name, input, expected) => {
    expect(crc32c(input)).toBe(expected);
  });

  it('slicing-by-8 agrees with the bitwise definition on odd lengths and offsets', () => {
    const buf = Buffer.alloc(1000);
    for (let i = 0; i < buf.length; i++) buf[i] = (i * 131 + 7) & 0xff;
    for (const [s, e] of [
      [0, 1000],
      [3, 997],
      [1, 2],
      [5, 5],
      [7, 64],
      [13, 150],
    ]) {
      expect(crc32c(buf, s, e)).toBe(bytewise(buf.subarray(s, e)));
    }
  });
});

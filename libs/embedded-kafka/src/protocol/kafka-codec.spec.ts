import { KafkaReader, MalformedRequestError } from './kafka-reader';
import { KafkaWriter } from './kafka-writer';

describe('KafkaWriter / KafkaReader', () => {
  it('round-trips every primitive', () => {
    const big = Buffer.alloc(1000, 7);
    const w = new KafkaWriter(8)
      .int8(-5)
      .bool(true)
      .int16(-300)
      .int32(123456789)
      .int64(-9007199254740991n)
      .string('héllo')
      .nullableString(null)
      .bytes(Buffer.from([1, 2, 3]))
      .nullableBytes(null)
      .bytes(big)
      .array([1, 2, 3], (x, n) => x.int32(n))
      .nullableArray(null, (x, n: number) => x.int32(n));
    const buf = w.toBuffer();
    expect(buf.length).toBe(w.length);
    const r = new KafkaReader(buf);
    expect(r.int8()).toBe(-5);
    expect(r.bool()).toBe(true);
    expect(r.int16()).toBe(-300);
    expect(r.int32()).toBe(123456789);
    expect(r.int64()).toBe(-9007199254740991n);
    expect(r.string()).toBe('héllo');
    expect(r.nullableString()).toBeNull();
    expect([...r.bytes()]).toEqual([1, 2, 3]);
    expect(r.nullableBytes()).toBeNull();
    expect(r.bytes().equals(big)).toBe(true);
    expect(r.array((x) => x.int32(), 4)).toEqual([1, 2, 3]);
    expect(r.nullableArray((x) => x.int32())).toBeNull();
    expect(r.remaining).toBe(0);
  });

  it('keeps large payloads by reference instead of copying', () => {
    const big = Buffer.alloc(4096, 1);
    const bufs = new KafkaWriter().int32(big.length).raw(big).toBuffers();
    expect(bufs).toContain(big);
  });

  it.each([
    [
      'string longer than the frame',
      new KafkaWriter().int16(50).toBuffer(),
      (r: KafkaReader) => r.string(),
    ],
    [
      'bytes longer than the frame',
      new KafkaWriter().int32(1 << 30).toBuffer(),
      (r: KafkaReader) => r.bytes(),
    ],
    [
      'negative string length',
      new KafkaWriter().int16(-7).toBuffer(),
      (r: KafkaReader) => r.string(),
    ],
    [
      'negative array length',
      new KafkaWriter().int32(-2).toBuffer(),
      (r: KafkaReader) => r.array((x) => x.int8()),
    ],
    [
      'array count that cannot fit',
      new KafkaWriter().int32(2_000_000_000).int32(1).toBuffer(),
      (r: KafkaReader) => r.array((x) => x.int32(), 4),
    ],
    ['truncated int64', Buffer.alloc(5), (r: KafkaReader) => r.int64()],
    [
      'null required string',
      new KafkaWriter().int16(-1).toBuffer(),
      (r: KafkaReader) => r.string(),
    ],
  ])('rejects %s with MalformedRequestError', (_n, buf, read) => {
    expect(() => read(new KafkaReader(buf))).toThrow(MalformedRequestError);
  });
});

/** Thrown for any frame whose contents contradict its own lengths; the connection treats it as fatal. */
export class MalformedRequestError extends Error {
  override name = 'MalformedRequestError';
}

/** Bounds-checked cursor over a request body (non-flexible Kafka primitives). */
export class KafkaReader {
  offset: number;

  constructor(
    readonly buf: Buffer,
    offset = 0,
    private readonly end = buf.length,
  ) {
    this.offset = offset;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(n: number): number {
    const at = this.offset;
    if (n < 0 || at + n > this.end) {
      throw new MalformedRequestError(`need ${n} bytes at ${at}, frame ends at ${this.end}`);
    }
    this.offset = at + n;
    return at;
  }

  int8(): number {
    return this.buf.readInt8(this.need(1));
  }
  bool(): boolean {
    return this.int8() !== 0;
  }
  int16(): number {
    return this.buf.readInt16BE(this.need(2));
  }
  int32(): number {
    return this.buf.readInt32BE(this.need(4));
  }
  uint32(): number {
    return this.buf.readUInt32BE(this.need(4));
  }
  int64(): bigint {
    return this.buf.readBigInt64BE(this.need(8));
  }
  /** int64 as a JS number: offsets and timestamps stay far below 2^53 in practice. */
  int64n(): number {
    return Number(this.int64());
  }

  nullableString(): string | null {
    const len = this.int16();
    if (len === -1) return null;
    if (len < -1) throw new MalformedRequestError(`negative string length ${len}`);
    const at = this.need(len);
    return this.buf.toString('utf8', at, at + len);
  }
  string(): string {
    const s = this.nullableString();
    if (s === null) throw new MalformedRequestError('null where a string is required');
    return s;
  }

  nullableBytes(): Buffer | null {
    const len = this.int32();
    if (len === -1) return null;
    if (len < -1) throw new MalformedRequestError(`negative bytes length ${len}`);
    const at = this.need(len);
    return this.buf.subarray(at, at + len);
  }
  bytes(): Buffer {
    return this.nullableBytes() ?? Buffer.alloc(0);
  }

  /** Array length, validated against the bytes left so a lying count cannot drive a huge loop. */
  private arrayLength(minElementBytes: number): number {
    const n = this.int32();
    if (n < -1) throw new MalformedRequestError(`negative array length ${n}`);
    if (n > 0 && n * minElementBytes > this.remaining) {
      throw new MalformedRequestError(`array of ${n} cannot fit in ${this.remaining} bytes`);
    }
    return n;
  }

  nullableArray<T>(read: (r: KafkaReader) => T, minElementBytes = 1): T[] | null {
    const n = this.arrayLength(minElementBytes);
    if (n === -1) return null;
    const out: T[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = read(this);
    return out;
  }
  array<T>(read: (r: KafkaReader) => T, minElementBytes = 1): T[] {
    return this.nullableArray(read, minElementBytes) ?? [];
  }

  skip(n: number): void {
    this.need(n);
  }
}

/**
 * Builds a response as a list of buffers so large record sets are sent by reference (writev)
 * instead of being copied into one contiguous buffer.
 */
export class KafkaWriter {
  private chunks: Buffer[] = [];
  private buf: Buffer;
  private pos = 0;
  private total = 0;

  constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flushScratch();
    this.buf = Buffer.allocUnsafe(Math.max(n, 1024));
  }

  private flushScratch(): void {
    if (this.pos > 0) {
      this.chunks.push(this.buf.subarray(0, this.pos));
      this.buf = this.buf.subarray(this.pos);
      this.pos = 0;
    }
  }

  get length(): number {
    return this.total;
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.pos);
    this.pos += 1;
    this.total += 1;
    return this;
  }
  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }
  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
    this.total += 2;
    return this;
  }
  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    this.total += 4;
    return this;
  }
  int64(v: bigint | number): this {
    this.ensure(8);
    this.buf.writeBigInt64BE(typeof v === 'bigint' ? v : BigInt(v), this.pos);
    this.pos += 8;
    this.total += 8;
    return this;
  }
  nullableString(s: string | null): this {
    if (s === null) return this.int16(-1);
    const len = Buffer.byteLength(s);
    this.int16(len);
    this.ensure(len);
    this.buf.write(s, this.pos, 'utf8');
    this.pos += len;
    this.total += len;
    return this;
  }
  string(s: string): this {
    return this.nullableString(s);
  }
  /** Appends a buffer by reference (no copy for big ones). */
  raw(b: Buffer): this {
    if (b.length <= 64) {
      this.ensure(b.length);
      b.copy(this.buf, this.pos);
      this.pos += b.length;
    } else {
      this.flushScratch();
      this.chunks.push(b);
    }
    this.total += b.length;
    return this;
  }
  nullableBytes(b: Buffer | null): this {
    if (b === null) return this.int32(-1);
    return this.int32(b.length).raw(b);
  }
  bytes(b: Buffer): this {
    return this.nullableBytes(b);
  }
  array<T>(items: readonly T[], write: (w: this, item: T) => void): this {
    this.int32(items.length);
    for (const item of items) write(this, item);
    return this;
  }
  nullableArray<T>(items: readonly T[] | null, write: (w: this, item: T) => void): this {
    if (items === null) return this.int32(-1);
    return this.array(items, write);
  }

  toBuffers(): Buffer[] {
    this.flushScratch();
    return this.chunks;
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.toBuffers(), this.total);
  }
}

/**
 * In-memory index of one segment: one entry per batch (base offset, file position, max timestamp).
 * Rebuilt by scanning on start, so it is never written to disk and can never disagree with the log.
 */
export class OffsetIndex {
  private base = new Float64Array(64);
  private pos = new Float64Array(64);
  private ts = new Float64Array(64);
  count = 0;

  append(baseOffset: number, position: number, maxTimestamp: number): void {
    if (this.count === this.base.length) {
      const grow = (a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> => {
        const b = new Float64Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.base = grow(this.base);
      this.pos = grow(this.pos);
      this.ts = grow(this.ts);
    }
    this.base[this.count] = baseOffset;
    this.pos[this.count] = position;
    this.ts[this.count] = maxTimestamp;
    this.count++;
  }

  baseOffsetAt(i: number): number {
    return this.base[i];
  }
  positionAt(i: number): number {
    return this.pos[i];
  }
  maxTimestampAt(i: number): number {
    return this.ts[i];
  }

  /** Index of the last entry whose base offset is <= offset, or -1. */
  floor(offset: number): number {
    let lo = 0;
    let hi = this.count - 1;
    let ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.base[mid] <= offset) {
        ans = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return ans;
  }

  /** First entry holding a record with timestamp >= ts (timestamps are not monotonic: linear). */
  firstWithMaxTimestampAtLeast(ts: number): number {
    for (let i = 0; i < this.count; i++) if (this.ts[i] >= ts) return i;
    return -1;
  }

  largestTimestamp(): number {
    let m = -1;
    for (let i = 0; i < this.count; i++) if (this.ts[i] > m) m = this.ts[i];
    return m;
  }
}

import * as fs from 'node:fs';
import * as path from 'node:path';
import { readRecordBatchHeader, RecordBatchHeader } from '../protocol/record-batch';
import { OffsetIndex } from './offset-index';

export function segmentFileName(baseOffset: number): string {
  return `${String(baseOffset).padStart(20, '0')}.log`;
}

export interface SegmentRecovery {
  /** Bytes dropped from the tail (torn write, bad CRC, offset gap). */
  truncatedBytes: number;
  reason?: string;
  batches: RecordBatchHeader[];
}

/** One append-only file of whole RecordBatches, named after the first offset it holds. */
export class Segment {
  readonly index = new OffsetIndex();
  size = 0;
  /** Offset the next appended batch gets. */
  nextOffset: number;
  private fd: number;
  private lastModifiedMs: number;

  private constructor(
    readonly filePath: string,
    readonly baseOffset: number,
    fd: number,
  ) {
    this.fd = fd;
    this.nextOffset = baseOffset;
    this.lastModifiedMs = Date.now();
  }

  static create(dir: string, baseOffset: number): Segment {
    const p = path.join(dir, segmentFileName(baseOffset));
    const fd = fs.openSync(p, 'a+');
    return new Segment(p, baseOffset, fd);
  }

  /**
   * Opens an existing file and rebuilds its index by scanning every batch; stops at the first
   * batch that is incomplete, fails its CRC or breaks offset continuity and truncates there.
   */
  static recover(
    filePath: string,
    baseOffset: number,
  ): { segment: Segment; recovery: SegmentRecovery } {
    const fd = fs.openSync(filePath, 'r+');
    const seg = new Segment(filePath, baseOffset, fd);
    const fileSize = fs.fstatSync(fd).size;
    seg.lastModifiedMs = fs.fstatSync(fd).mtimeMs;
    const batches: RecordBatchHeader[] = [];
    let chunk = Buffer.allocUnsafe(8 << 20);
    let filePos = 0;
    // End of the last batch that passed every check; everything after it is dropped.
    let validEnd = 0;
    let reason: string | undefined;
    scan: while (filePos < fileSize) {
      const want = Math.min(chunk.length, fileSize - filePos);
      const got = fs.readSync(fd, chunk, 0, want, filePos);
      let p = 0;
      while (p < got) {
        const h = readRecordBatchHeader(chunk, p, got, true);
        if (h === 'incomplete') {
          if (filePos + got >= fileSize) {
            reason = 'incomplete batch at end of file';
            break scan;
          }
          if (p === 0) {
            // The batch is larger than the chunk: grow it and retry from the same position.
            const need = chunk.length >= 12 ? chunk.readInt32BE(8) + 12 : chunk.length * 2;
            if (need > 1 << 30) {
              reason = 'implausible batch length';
              break scan;
            }
            chunk = Buffer.allocUnsafe(Math.max(need, chunk.length * 2));
          }
          break;
        }
        if (typeof h === 'string') {
          reason = h;
          break scan;
        }
        if (h.baseOffset !== seg.nextOffset) {
          reason = `offset gap: expected ${seg.nextOffset}, found ${h.baseOffset}`;
          break scan;
        }
        h.position = filePos + p;
        seg.index.append(h.baseOffset, h.position, h.maxTimestamp);
        seg.nextOffset = h.baseOffset + h.lastOffsetDelta + 1;
        batches.push(h);
        p += h.size;
        validEnd = filePos + p;
      }
      filePos += p;
    }
    const truncatedBytes = fileSize - validEnd;
    if (truncatedBytes > 0) {
      fs.ftruncateSync(fd, validEnd);
      fs.fsyncSync(fd);
    }
    seg.size = validEnd;
    return { segment: seg, recovery: { truncatedBytes, reason, batches } };
  }

  /** Appends batches whose base offsets were already assigned; `headers` positions are relative to buf. */
  append(buf: Buffer, headers: readonly RecordBatchHeader[]): void {
    let written = 0;
    while (written < buf.length) {
      written += fs.writeSync(this.fd, buf, written, buf.length - written, this.size + written);
    }
    for (const h of headers) {
      this.index.append(h.baseOffset, this.size + h.position, h.maxTimestamp);
      this.nextOffset = h.baseOffset + h.lastOffsetDelta + 1;
    }
    this.size += buf.length;
    this.lastModifiedMs = Date.now();
  }

  /**
   * Whole batches starting with the one that holds `offset`, up to `maxBytes` (at least one batch
   * when `atLeastOne`, as KIP-74 requires), never past `limitOffset`.
   */
  read(offset: number, maxBytes: number, limitOffset: number, atLeastOne: boolean): Buffer | null {
    let i = this.index.floor(offset);
    if (i < 0) i = 0;
    // The floor batch may end before `offset` (e.g. after compaction-like gaps); then skip it.
    if (i + 1 < this.index.count && this.index.baseOffsetAt(i + 1) <= offset) i++;
    if (i >= this.index.count || this.index.baseOffsetAt(i) >= limitOffset) return null;
    const start = this.index.positionAt(i);
    let end = start;
    let j = i;
    while (j < this.index.count && this.index.baseOffsetAt(j) < limitOffset) {
      const next = j + 1 < this.index.count ? this.index.positionAt(j + 1) : this.size;
      if (next - start > maxBytes && !(atLeastOne && j === i)) break;
      end = next;
      j++;
    }
    if (end === start) return null;
    const out = Buffer.allocUnsafe(end - start);
    let got = 0;
    while (got < out.length) {
      const n = fs.readSync(this.fd, out, got, out.length - got, start + got);
      if (n === 0) break;
      got += n;
    }
    return got === out.length ? out : out.subarray(0, got);
  }

  largestTimestamp(): number {
    const ts = this.index.largestTimestamp();
    return ts > 0 ? ts : this.lastModifiedMs;
  }

  fsync(cb: (err: Error | null) => void): void {
    if (this.fd < 0) return cb(null);
    fs.fsync(this.fd, cb);
  }
  close(): void {
    if (this.fd >= 0) {
      fs.closeSync(this.fd);
      this.fd = -1;
    }
  }
  deleteFile(): void {
    this.close();
    fs.rmSync(this.filePath, { force: true });
  }
}

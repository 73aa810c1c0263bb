import * as fs from 'node:fs';
import * as path from 'node:path';
import { RecordBatchHeader, rewriteRecordBatchBaseOffset } from '../protocol/record-batch';
import { ProducerStateTable } from './producer-state';
import { Segment } from './segment';

export type FsyncPolicy = 'always' | 'interval' | 'never';

export interface PartitionLogOptions {
  segmentBytes: number;
  fsync: FsyncPolicy;
  /** Called whenever the high watermark advances (wakes long-polling fetches). */
  onHighWatermark: (log: PartitionLog) => void;
  logger: { warn(o: object, m?: string): void; error(o: object, m?: string): void };
}

export interface AppendResult {
  baseOffset: number;
  /** Resolves once the data is durable per the fsync policy (immediately unless `always`). */
  durable: Promise<void>;
}

/**
 * One topic-partition: ordered segments, offsets, and the group-commit fsync. Writes are
 * synchronous page-cache writes (ordering for free); only fsync goes to the thread pool.
 */
export class PartitionLog {
  readonly producers = new ProducerStateTable();
  private segments: Segment[] = [];
  /** Next offset to assign. */
  logEndOffset = 0;
  /** Readers only see up to here; with fsync=always it trails LEO until the fsync lands. */
  highWatermark = 0;
  private flushing = false;
  private flushWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private dirty = false;
  /** Segments rolled since the last fsync round; synced together with the active one. */
  private rolledUnsynced: Segment[] = [];
  private closed = false;

  private constructor(
    readonly topic: string,
    readonly partition: number,
    readonly dir: string,
    private readonly opts: PartitionLogOptions,
  ) {}

  static open(
    dir: string,
    topic: string,
    partition: number,
    opts: PartitionLogOptions,
  ): PartitionLog {
    fs.mkdirSync(dir, { recursive: true });
    const log = new PartitionLog(topic, partition, dir, opts);
    const files = fs
      .readdirSync(dir)
      .filter((f) => /^\d{20}\.log$/.test(f))
      .map((f) => ({ f, base: Number(f.slice(0, 20)) }))
      .sort((a, b) => a.base - b.base);
    let expectedNext: number | null = null;
    for (const { f, base } of files) {
      const p = path.join(dir, f);
      if (expectedNext !== null && base !== expectedNext) {
        // A later segment whose predecessor lost its tail cannot be trusted to line up: drop it.
        opts.logger.warn(
          { topic, partition, file: f, expectedNext },
          'dropping segment after truncated predecessor',
        );
        fs.rmSync(p, { force: true });
        continue;
      }
      const { segment, recovery } = Segment.recover(p, base);
      if (recovery.truncatedBytes > 0) {
        opts.logger.warn(
          {
            topic,
            partition,
            file: f,
            truncatedBytes: recovery.truncatedBytes,
            reason: recovery.reason,
          },
          'truncated torn log tail',
        );
      }
      for (const b of recovery.batches)
        log.producers.record(
          b.producerId,
          b.producerEpoch,
          b.baseSequence,
          b.recordsCount,
          b.baseOffset,
        );
      if (segment.size === 0 && log.segments.length > 0) {
        segment.deleteFile();
        continue;
      }
      log.segments.push(segment);
      expectedNext = segment.nextOffset;
    }
    if (log.segments.length === 0) {
      log.segments.push(Segment.create(dir, 0));
      fsyncDir(dir);
    }
    log.logEndOffset = log.active.nextOffset;
    log.highWatermark = log.logEndOffset;
    return log;
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1];
  }

  get logStartOffset(): number {
    return this.segments[0].baseOffset;
  }

  get sizeBytes(): number {
    let s = 0;
    for (const seg of this.segments) s += seg.size;
    return s;
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /**
   * Assigns offsets to validated batches (rewriting only base offsets in `buf`) and writes them.
   * `headers` positions are relative to `buf`.
   */
  append(buf: Buffer, headers: readonly RecordBatchHeader[]): AppendResult {
    if (this.closed) throw new Error('partition log closed');
    const baseOffset = this.logEndOffset;
    let next = baseOffset;
    for (const h of headers) {
      rewriteRecordBatchBaseOffset(buf, h.position, next);
      h.baseOffset = next;
      next += h.lastOffsetDelta + 1;
    }
    if (this.active.size > 0 && this.active.size + buf.length > this.opts.segmentBytes) this.roll();
    this.active.append(buf, headers);
    for (const h of headers)
      this.producers.record(
        h.producerId,
        h.producerEpoch,
        h.baseSequence,
        h.recordsCount,
        h.baseOffset,
      );
    this.logEndOffset = next;
    if (this.opts.fsync === 'always') {
      this.dirty = true;
      return { baseOffset, durable: this.flush() };
    }
    this.dirty = true;
    this.highWatermark = next;
    this.opts.onHighWatermark(this);
    return { baseOffset, durable: Promise.resolve() };
  }

  private roll(): void {
    // The old segment's unsynced tail is fsynced by the next flush round (with the new active one),
    // not synchronously here: a 128 MiB fsync would stall the event loop.
    this.rolledUnsynced.push(this.active);
    this.segments.push(Segment.create(this.dir, this.logEndOffset));
    fsyncDir(this.dir);
    if (this.opts.fsync !== 'always') {
      this.flush().catch(() => undefined);
    }
  }

  /**
   * Group commit: every caller that arrives while an fsync is running shares the next one, so
   * N concurrent acks=-1 produces cost about two fsyncs, not N.
   */
  flush(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.flushWaiters.push({ resolve, reject });
      if (!this.flushing) this.startFlush();
    });
  }

  private startFlush(): void {
    const waiters = this.flushWaiters;
    this.flushWaiters = [];
    const upTo = this.logEndOffset;
    this.dirty = false;
    this.flushing = true;
    const segs = [...this.rolledUnsynced, this.active];
    this.rolledUnsynced = [];
    let pending = segs.length;
    let firstErr: Error | null = null;
    const done = (err: Error | null): void => {
      firstErr ??= err;
      if (--pending === 0) this.afterFlush(firstErr, waiters, upTo);
    };
    for (const seg of segs) seg.fsync(done);
  }

  private afterFlush(
    err: Error | null,
    waiters: { resolve: () => void; reject: (e: Error) => void }[],
    upTo: number,
  ): void {
    this.flushing = false;
    if (err) {
      this.opts.logger.error(
        { topic: this.topic, partition: this.partition, err: err.message },
        'fsync failed',
      );
      for (const w of waiters) w.reject(err);
    } else {
      if (upTo > this.highWatermark) {
        this.highWatermark = upTo;
        this.opts.onHighWatermark(this);
      }
      for (const w of waiters) w.resolve();
    }
    if (this.flushWaiters.length > 0) this.startFlush();
  }

  /** Used by the interval policy's timer and by close. */
  flushIfDirty(): Promise<void> {
    return this.dirty || this.flushing ? this.flush() : Promise.resolve();
  }

  /** Whole batches from `offset`, bounded by the high watermark; null when nothing is available. */
  read(offset: number, maxBytes: number, atLeastOne: boolean): Buffer | null {
    if (offset >= this.highWatermark) return null;
    let lo = 0;
    let hi = this.segments.length - 1;
    let idx = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.segments[mid].baseOffset <= offset) {
        idx = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    for (let s = idx; s < this.segments.length; s++) {
      const seg = this.segments[s];
      if (seg.nextOffset <= offset) continue;
      const out = seg.read(offset, maxBytes, this.highWatermark, atLeastOne);
      if (out) return out;
    }
    return null;
  }

  /** ListOffsets by timestamp: first offset of the first batch holding a record at or after ts. */
  offsetForTimestamp(ts: number): { offset: number; timestamp: number } | null {
    for (const seg of this.segments) {
      const i = seg.index.firstWithMaxTimestampAtLeast(ts);
      if (i >= 0 && seg.index.baseOffsetAt(i) < this.highWatermark) {
        return { offset: seg.index.baseOffsetAt(i), timestamp: seg.index.maxTimestampAt(i) };
      }
    }
    return null;
  }

  /** Deletes whole non-active segments past the retention limits; returns how many were removed. */
  enforceRetention(retentionMs: number, retentionBytes: number, now = Date.now()): number {
    let removed = 0;
    let total = this.sizeBytes;
    while (this.segments.length > 1) {
      const oldest = this.segments[0];
      const tooOld = retentionMs >= 0 && now - oldest.largestTimestamp() > retentionMs;
      const tooBig = retentionBytes >= 0 && total - oldest.size >= retentionBytes;
      if (!tooOld && !tooBig) break;
      this.segments.shift();
      total -= oldest.size;
      oldest.deleteFile();
      removed++;
    }
    return removed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flushIfDirty().catch(() => undefined);
    this.closed = true;
    for (const s of this.segments) s.close();
  }

  /** Closes and removes the partition's files (topic deletion). */
  destroy(): void {
    this.closed = true;
    for (const s of this.segments) s.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Some filesystems refuse fsync on directories; the data files are still synced.
  }
}

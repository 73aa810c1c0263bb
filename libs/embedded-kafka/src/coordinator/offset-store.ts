import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  encodeOffsetRecord,
  parseOffsetLog,
  type CommittedOffset,
  type OffsetEntry,
  type OffsetLogRecord,
} from './offset-log-record';

export type { CommittedOffset, OffsetEntry } from './offset-log-record';

export interface OffsetStoreOptions {
  /** Rewrite the log on open once it is at least this large and mostly superseded. Default 4 MiB. */
  compactThresholdBytes?: number;
}

const LOG_FILE = 'committed-offsets.log';
const COMPACT_SUFFIX = '.compacting';
const DEFAULT_COMPACT_THRESHOLD = 4 * 1024 * 1024;
const SNAPSHOT_ENTRIES_PER_LINE = 500;

interface PendingWrite {
  record: OffsetLogRecord;
  bytes: Buffer;
  resolve: () => void;
  reject: (err: Error) => void;
}

type GroupOffsets = Map<string, Map<number, CommittedOffset>>;

/**
 * Durable committed offsets: an append-only JSON-lines log replayed into memory on open.
 * put() resolves only after its record is fsynced; puts that arrive while a sync is in flight are
 * written and synced together (group commit). Reads never see an offset that is not yet durable.
 * One process must own the directory.
 */
export class OffsetStore {
  private readonly groups = new Map<string, GroupOffsets>();
  private queue: PendingWrite[] = [];
  private draining: Promise<void> | null = null;
  private broken: Error | null = null;
  private closed = false;
  /** Observability for tests and metrics: number of fsyncs issued for appends. */
  syncCount = 0;

  private constructor(
    readonly filePath: string,
    private readonly file: fs.FileHandle,
    private size: number,
  ) {}

  static async open(dataDir: string, options: OffsetStoreOptions = {}): Promise<OffsetStore> {
    await fs.mkdir(dataDir, { recursive: true });
    const filePath = path.join(dataDir, LOG_FILE);
    // A leftover from a crash mid-compaction; the real log is intact because the swap is a rename.
    await fs.rm(filePath + COMPACT_SUFFIX, { force: true });
    const existed = await fileExists(filePath);
    const file = await fs.open(filePath, 'a+');
    try {
      if (!existed) await syncDirectory(dataDir);
      const { records, validBytes } = parseOffsetLog(await file.readFile(), filePath);
      if (validBytes < (await file.stat()).size) {
        await file.truncate(validBytes);
        await file.datasync();
      }
      const store = new OffsetStore(filePath, file, validBytes);
      for (const record of records) store.apply(record);
      return await store.maybeCompact(options.compactThresholdBytes ?? DEFAULT_COMPACT_THRESHOLD);
    } catch (err) {
      await file.close().catch(() => undefined);
      throw err;
    }
  }

  get(groupId: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.groups.get(groupId)?.get(topic)?.get(partition);
  }

  /** Every committed offset of a group, topics and partitions in commit order. */
  groupOffsets(groupId: string): OffsetEntry[] {
    const out: OffsetEntry[] = [];
    for (const [topic, partitions] of this.groups.get(groupId) ?? []) {
      for (const [partition, c] of partitions)
        out.push({ topic, partition, offset: c.offset, metadata: c.metadata });
    }
    return out;
  }

  hasGroup(groupId: string): boolean {
    return this.groups.has(groupId);
  }

  groupIds(): string[] {
    return [...this.groups.keys()];
  }

  /** Resolves once the entries are on disk (fsynced) and visible to get(). */
  put(groupId: string, entries: OffsetEntry[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('OffsetStore is closed'));
    if (this.broken) return Promise.reject(this.broken);
    if (entries.length === 0) return Promise.resolve();
    const record: OffsetLogRecord = { groupId, entries: entries.map((e) => ({ ...e })) };
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ record, bytes: Buffer.from(encodeOffsetRecord(record)), resolve, reject });
      this.draining ??= this.drain();
    });
  }

  /** Waits for queued writes, then closes the file. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.draining;
    await this.file.close();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        await this.appendDurably(Buffer.concat(batch.map((w) => w.bytes)));
        for (const w of batch) {
          this.apply(w.record);
          w.resolve();
        }
      } catch (err) {
        for (const w of batch) w.reject(err as Error);
      }
    }
    this.draining = null;
  }

  private async appendDurably(bytes: Buffer): Promise<void> {
    if (this.broken) throw this.broken;
    const start = this.size;
    try {
      for (let done = 0; done < bytes.length;) {
        const { bytesWritten } = await this.file.write(bytes, done, bytes.length - done);
        done += bytesWritten;
      }
      await this.file.datasync();
      this.syncCount += 1;
      this.size = start + bytes.length;
    } catch (err) {
      // Cut off a partial write so the next record does not get glued onto it.
      await this.file.truncate(start).catch((truncateErr: Error) => {
        this.broken = truncateErr;
      });
      throw err;
    }
  }

  private apply(record: OffsetLogRecord): void {
    let topics = this.groups.get(record.groupId);
    if (!topics) this.groups.set(record.groupId, (topics = new Map()));
    for (const e of record.entries) {
      let partitions = topics.get(e.topic);
      if (!partitions) topics.set(e.topic, (partitions = new Map()));
      partitions.set(e.partition, { offset: e.offset, metadata: e.metadata });
    }
  }

  /** Rewrites the log as a snapshot when it is big and at least half of it is superseded history. */
  private async maybeCompact(thresholdBytes: number): Promise<OffsetStore> {
    if (this.size < thresholdBytes) return this;
    const snapshot = Buffer.from(this.snapshotRecords().map(encodeOffsetRecord).join(''));
    if (snapshot.length * 2 > this.size) return this;
    const tmpPath = this.filePath + COMPACT_SUFFIX;
    const tmp = await fs.open(tmpPath, 'w');
    try {
      await tmp.writeFile(snapshot);
      await tmp.sync();
    } finally {
      await tmp.close();
    }
    await this.file.close();
    await fs.rename(tmpPath, this.filePath);
    await syncDirectory(path.dirname(this.filePath));
    const reopened = new OffsetStore(
      this.filePath,
      await fs.open(this.filePath, 'a+'),
      snapshot.length,
    );
    for (const [groupId, topics] of this.groups) reopened.groups.set(groupId, topics);
    return reopened;
  }

  private snapshotRecords(): OffsetLogRecord[] {
    const records: OffsetLogRecord[] = [];
    for (const groupId of this.groups.keys()) {
      const entries = this.groupOffsets(groupId);
      for (let i = 0; i < entries.length; i += SNAPSHOT_ENTRIES_PER_LINE) {
        records.push({ groupId, entries: entries.slice(i, i + SNAPSHOT_ENTRIES_PER_LINE) });
      }
    }
    return records;
  }
}

async function fileExists(p: string): Promise<boolean> {
  return fs.stat(p).then(
    () => true,
    () => false,
  );
}

/** Makes a created or renamed directory entry durable. Unsupported on some platforms (Windows): best effort. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // Directory fsync is not available everywhere; the data itself is still fsynced.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

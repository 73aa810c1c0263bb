import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCode } from '../protocol/error-codes';
import { FsyncPolicy, fsyncDir, PartitionLog } from './partition-log';

export interface LogManagerOptions {
  dataDir: string;
  segmentBytes: number;
  fsync: FsyncPolicy;
  fsyncIntervalMs: number;
  retentionMs: number;
  retentionBytes: number;
  retentionCheckMs: number;
  logger: {
    info(o: object, m?: string): void;
    warn(o: object, m?: string): void;
    error(o: object, m?: string): void;
  };
}

interface TopicsFile {
  version: 1;
  topics: Record<string, { partitions: number }>;
  nextProducerId: number;
}

/** Each partition holds an open file; this keeps one request from exhausting descriptors. */
const MAX_PARTITIONS = 1000;
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export function validateTopicName(name: string): boolean {
  return TOPIC_NAME.test(name) && name !== '.' && name !== '..';
}

/** Owns every partition log plus the small metadata file (topics, producer id high-water). */
export class LogManager {
  private topics = new Map<string, PartitionLog[]>();
  private nextProducerId = 1;
  private timers: NodeJS.Timeout[] = [];
  private hwListeners = new Set<(log: PartitionLog) => void>();
  private readonly logsDir: string;
  private readonly metaPath: string;

  private constructor(private readonly opts: LogManagerOptions) {
    this.logsDir = path.join(opts.dataDir, 'logs');
    this.metaPath = path.join(opts.dataDir, 'topics.json');
  }

  static open(opts: LogManagerOptions): LogManager {
    const m = new LogManager(opts);
    fs.mkdirSync(m.logsDir, { recursive: true });
    let meta: TopicsFile = { version: 1, topics: {}, nextProducerId: 1 };
    if (fs.existsSync(m.metaPath))
      meta = JSON.parse(fs.readFileSync(m.metaPath, 'utf8')) as TopicsFile;
    m.nextProducerId = meta.nextProducerId;
    for (const [name, t] of Object.entries(meta.topics)) {
      const logs: PartitionLog[] = [];
      for (let p = 0; p < t.partitions; p++) {
        const log = m.openPartition(name, p);
        m.nextProducerId = Math.max(m.nextProducerId, log.producers.maxProducerId() + 1);
        logs.push(log);
      }
      m.topics.set(name, logs);
    }
    if (opts.fsync === 'interval') {
      m.timers.push(
        setInterval(() => m.flushAll().catch(() => undefined), opts.fsyncIntervalMs).unref(),
      );
    }
    if (opts.retentionMs >= 0 || opts.retentionBytes >= 0) {
      m.timers.push(setInterval(() => m.enforceRetention(), opts.retentionCheckMs).unref());
    }
    return m;
  }

  private openPartition(topic: string, partition: number): PartitionLog {
    return PartitionLog.open(path.join(this.logsDir, `${topic}-${partition}`), topic, partition, {
      segmentBytes: this.opts.segmentBytes,
      fsync: this.opts.fsync,
      logger: this.opts.logger,
      onHighWatermark: (log) => {
        for (const l of this.hwListeners) l(log);
      },
    });
  }

  private persistMeta(): void {
    const meta: TopicsFile = { version: 1, topics: {}, nextProducerId: this.nextProducerId };
    for (const [name, logs] of this.topics) meta.topics[name] = { partitions: logs.length };
    const tmp = `${this.metaPath}.tmp`;
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, JSON.stringify(meta));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.metaPath);
    fsyncDir(this.opts.dataDir);
  }

  onHighWatermark(listener: (log: PartitionLog) => void): () => void {
    this.hwListeners.add(listener);
    return () => this.hwListeners.delete(listener);
  }

  topicNames(): string[] {
    return [...this.topics.keys()];
  }

  partitions(topic: string): PartitionLog[] | undefined {
    return this.topics.get(topic);
  }

  partition(topic: string, partition: number): PartitionLog | undefined {
    return this.topics.get(topic)?.[partition];
  }

  createTopic(name: string, partitions: number): number {
    if (!validateTopicName(name)) return ErrorCode.INVALID_TOPIC_EXCEPTION;
    if (this.topics.has(name)) return ErrorCode.TOPIC_ALREADY_EXISTS;
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS)
      return ErrorCode.INVALID_PARTITIONS;
    const logs: PartitionLog[] = [];
    try {
      for (let p = 0; p < partitions; p++) {
        // A leftover directory from a deletion that crashed midway must not resurrect old data.
        fs.rmSync(path.join(this.logsDir, `${name}-${p}`), { recursive: true, force: true });
        logs.push(this.openPartition(name, p));
      }
    } catch (err) {
      // E.g. EMFILE: leave no half-created topic behind.
      for (const l of logs) l.destroy();
      this.opts.logger.error(
        { topic: name, partitions, err: (err as Error).message },
        'topic creation failed',
      );
      return ErrorCode.KAFKA_STORAGE_ERROR;
    }
    fsyncDir(this.logsDir);
    this.topics.set(name, logs);
    this.persistMeta();
    this.opts.logger.info({ topic: name, partitions }, 'topic created');
    return ErrorCode.NONE;
  }

  deleteTopic(name: string): number {
    const logs = this.topics.get(name);
    if (!logs) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    this.topics.delete(name);
    // Metadata first: after a crash the directories are orphans, never a half-deleted topic.
    this.persistMeta();
    for (const l of logs) l.destroy();
    this.opts.logger.info({ topic: name }, 'topic deleted');
    return ErrorCode.NONE;
  }

  allocateProducerId(): number {
    const id = this.nextProducerId++;
    this.persistMeta();
    return id;
  }

  enforceRetention(now = Date.now()): number {
    let removed = 0;
    for (const logs of this.topics.values()) {
      for (const l of logs)
        removed += l.enforceRetention(this.opts.retentionMs, this.opts.retentionBytes, now);
    }
    return removed;
  }

  async flushAll(): Promise<void> {
    const all: Promise<void>[] = [];
    for (const logs of this.topics.values()) for (const l of logs) all.push(l.flushIfDirty());
    await Promise.all(all);
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    const all: Promise<void>[] = [];
    for (const logs of this.topics.values()) for (const l of logs) all.push(l.close());
    await Promise.all(all);
  }
}

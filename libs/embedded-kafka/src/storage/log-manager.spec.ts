import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCode } from '../protocol/error-codes';
import { parseRecordBatches, RecordBatchHeader } from '../protocol/record-batch';
import { kafkajsRecordBatch } from '../test/kafkajs-record-batch';
import { makeTempDir, removeTempDirs } from '../test/temp-dir';
import { LogManager, LogManagerOptions, validateTopicName } from './log-manager';

const logger = { info: jest.fn(), warn: jest.fn(), error: jest.fn() };

function open(dataDir: string, extra: Partial<LogManagerOptions> = {}): LogManager {
  return LogManager.open({
    dataDir,
    segmentBytes: 1 << 20,
    fsync: 'never',
    fsyncIntervalMs: 1000,
    retentionMs: -1,
    retentionBytes: -1,
    retentionCheckMs: 60_000,
    logger,
    ...extra,
  });
}

describe('LogManager', () => {
  afterEach(() => removeTempDirs());

  it('validates topic names like Kafka', () => {
    expect(validateTopicName('agentmon.spans.v1')).toBe(true);
    expect(validateTopicName('a_b-c')).toBe(true);
    for (const bad of ['', '.', '..', 'a/b', 'a b', 'x'.repeat(250)])
      expect(validateTopicName(bad)).toBe(false);
  });

  it('persists topics and producer ids across reopen; deletion removes files', async () => {
    const dir = makeTempDir();
    const m = open(dir);
    expect(m.createTopic('one', 3)).toBe(ErrorCode.NONE);
    expect(m.createTopic('one', 3)).toBe(ErrorCode.TOPIC_ALREADY_EXISTS);
    expect(m.createTopic('two', 0)).toBe(ErrorCode.INVALID_PARTITIONS);
    expect(m.createTopic('two', 5000)).toBe(ErrorCode.INVALID_PARTITIONS);
    expect(m.createTopic('bad/name', 1)).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(m.createTopic('gone', 1)).toBe(ErrorCode.NONE);
    const buf = await kafkajsRecordBatch({ values: ['a'] });
    m.partition('one', 2)!.append(buf, parseRecordBatches(buf) as RecordBatchHeader[]);
    const pid1 = m.allocateProducerId();
    const pid2 = m.allocateProducerId();
    expect(pid2).toBeGreaterThan(pid1);
    expect(m.deleteTopic('gone')).toBe(ErrorCode.NONE);
    expect(m.deleteTopic('gone')).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(fs.existsSync(path.join(dir, 'logs', 'gone-0'))).toBe(false);
    await m.close();

    const again = open(dir);
    expect(again.topicNames()).toEqual(['one']);
    expect(again.partitions('one')).toHaveLength(3);
    expect(again.partition('one', 2)!.logEndOffset).toBe(1);
    expect(again.allocateProducerId()).toBeGreaterThan(pid2);
    await again.close();
  });

  it('interval fsync policy makes data visible immediately and flushes on the timer', async () => {
    const dir = makeTempDir();
    const m = open(dir, { fsync: 'interval', fsyncIntervalMs: 20 });
    m.createTopic('t', 1);
    const log = m.partition('t', 0)!;
    const buf = await kafkajsRecordBatch({ values: ['a', 'b'] });
    const r = log.append(buf, parseRecordBatches(buf) as RecordBatchHeader[]);
    expect(log.highWatermark).toBe(2);
    await r.durable;
    await new Promise((res) => setTimeout(res, 60));
    await m.close();
  });

  it('applies retention across all partitions', async () => {
    const dir = makeTempDir();
    const m = open(dir, { segmentBytes: 200, retentionBytes: 300 });
    m.createTopic('r', 2);
    for (let i = 0; i < 10; i++) {
      for (const p of [0, 1]) {
        const buf = await kafkajsRecordBatch({ values: ['y'.repeat(100)] });
        m.partition('r', p)!.append(buf, parseRecordBatches(buf) as RecordBatchHeader[]);
      }
    }
    expect(m.enforceRetention()).toBeGreaterThan(0);
    for (const p of [0, 1]) {
      expect(m.partition('r', p)!.logStartOffset).toBeGreaterThan(0);
      expect(m.partition('r', p)!.logEndOffset).toBe(10);
    }
    await m.close();
  });
});

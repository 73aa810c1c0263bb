import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseRecordBatches, RecordBatchHeader } from '../protocol/record-batch';
import { kafkajsRecordBatch } from '../test/kafkajs-record-batch';
import { makeTempDir, removeTempDirs } from '../test/temp-dir';
import { FsyncPolicy, PartitionLog } from './partition-log';

const logger = { warn: jest.fn(), error: jest.fn() };

function open(
  dir: string,
  segmentBytes = 1 << 20,
  fsync: FsyncPolicy = 'never',
  onHighWatermark = (): void => undefined,
): PartitionLog {
  return PartitionLog.open(dir, 't', 0, { segmentBytes, fsync, logger, onHighWatermark });
}

async function batch(
  values: string[],
  extra: object = {},
): Promise<{ buf: Buffer; headers: RecordBatchHeader[] }> {
  const buf = await kafkajsRecordBatch({ values, ...extra });
  return { buf, headers: parseRecordBatches(buf) as RecordBatchHeader[] };
}

/** Offsets of every batch returned by reading the whole log from `from`. */
function readAll(log: PartitionLog, from = 0): number[] {
  const offsets: number[] = [];
  let at = from;
  for (;;) {
    const data = log.read(at, 1 << 20, true);
    if (!data) return offsets;
    const hs = parseRecordBatches(data) as RecordBatchHeader[];
    for (const h of hs) offsets.push(h.baseOffset);
    const last = hs[hs.length - 1];
    at = last.baseOffset + last.lastOffsetDelta + 1;
  }
}

describe('PartitionLog', () => {
  afterEach(() => removeTempDirs());

  it('assigns offsets, reads whole batches within a byte budget, and rebuilds after reopen', async () => {
    const dir = makeTempDir();
    const log = open(dir);
    for (let i = 0; i < 10; i++) {
      const b = await batch([`a${i}`, `b${i}`, `c${i}`]);
      expect(log.append(b.buf, b.headers).baseOffset).toBe(i * 3);
    }
    expect(log.logEndOffset).toBe(30);
    expect(readAll(log)).toEqual([0, 3, 6, 9, 12, 15, 18, 21, 24, 27]);
    // Reading from the middle of a batch returns that whole batch (the client skips the prefix).
    expect(readAll(log, 7)).toEqual([6, 9, 12, 15, 18, 21, 24, 27]);
    // A tiny budget still yields one batch when atLeastOne, none otherwise.
    expect(log.read(0, 1, true)).not.toBeNull();
    expect(log.read(0, 1, false)).toBeNull();
    expect(log.read(30, 1000, true)).toBeNull();
    await log.close();
    const again = open(dir);
    expect(again.logEndOffset).toBe(30);
    expect(readAll(again)).toEqual([0, 3, 6, 9, 12, 15, 18, 21, 24, 27]);
    await again.close();
  });

  it('rolls segments by size and deletes whole old segments by size and by age', async () => {
    const dir = makeTempDir();
    const log = open(dir, 300);
    for (let i = 0; i < 20; i++) {
      const b = await batch(['x'.repeat(100)], { timestamp: 1_000_000 + i });
      log.append(b.buf, b.headers);
    }
    expect(log.segmentCount).toBeGreaterThan(5);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.log')).length).toBe(log.segmentCount);
    const before = log.segmentCount;
    expect(log.enforceRetention(-1, 600)).toBeGreaterThan(0);
    expect(log.segmentCount).toBeLessThan(before);
    expect(log.sizeBytes).toBeLessThan(600 + 300);
    expect(log.logStartOffset).toBeGreaterThan(0);
    expect(readAll(log, log.logStartOffset)[0]).toBe(log.logStartOffset);
    // Age: everything but the active segment is older than 1 ms relative to "now" far in the future.
    log.enforceRetention(1, -1, 10_000_000);
    expect(log.segmentCount).toBe(1);
    expect(log.logEndOffset).toBe(20);
    await log.close();
    const again = open(dir, 300);
    expect(again.logStartOffset).toBe(log.logStartOffset);
    expect(again.logEndOffset).toBe(20);
    await again.close();
  });

  it.each([
    ['a partial batch', (f: string, size: number) => fs.truncateSync(f, size - 7)],
    [
      'a corrupted byte in the last batch',
      (f: string, size: number) => {
        const fd = fs.openSync(f, 'r+');
        fs.writeSync(fd, Buffer.from([0xab]), 0, 1, size - 3);
        fs.closeSync(fd);
      },
    ],
    ['trailing garbage', (f: string) => fs.appendFileSync(f, Buffer.alloc(100, 0x41))],
  ])('truncates a torn tail (%s) on open', async (_name, damage) => {
    const dir = makeTempDir();
    const log = open(dir);
    for (let i = 0; i < 5; i++) {
      const b = await batch([`v${i}`]);
      log.append(b.buf, b.headers);
    }
    await log.close();
    const file = path.join(dir, '00000000000000000000.log');
    const goodSize = fs.statSync(file).size;
    damage(file, goodSize);
    const again = open(dir);
    const expectedEnd = _name === 'trailing garbage' ? 5 : 4;
    expect(again.logEndOffset).toBe(expectedEnd);
    expect(readAll(again)).toEqual([0, 1, 2, 3, 4].slice(0, expectedEnd));
    expect(logger.warn).toHaveBeenCalledWith(
      expect.objectContaining({ truncatedBytes: expect.any(Number) }),
      'truncated torn log tail',
    );
    // Appends continue cleanly after the truncation point.
    const b = await batch(['after']);
    expect(again.append(b.buf, b.headers).baseOffset).toBe(expectedEnd);
    await again.close();
  });

  it('with fsync=always hides data until the group-commit fsync lands, then wakes listeners', async () => {
    const dir = makeTempDir();
    const woke: number[] = [];
    const log = open(dir, 1 << 20, 'always', () => woke.push(log.highWatermark));
    const results = [];
    for (let i = 0; i < 20; i++) {
      const b = await batch([`v${i}`]);
      results.push(log.append(b.buf, b.headers));
    }
    expect(log.highWatermark).toBeLessThan(20);
    await Promise.all(results.map((r) => r.durable));
    expect(log.highWatermark).toBe(20);
    // Group commit: far fewer fsync rounds than appends.
    expect(woke.length).toBeLessThan(20);
    expect(woke[woke.length - 1]).toBe(20);
    await log.close();
  });

  it('restores idempotent producer state from the log', async () => {
    const dir = makeTempDir();
    const log = open(dir);
    const b = await batch(['a', 'b'], { producerId: 9, producerEpoch: 0, firstSequence: 0 });
    log.append(b.buf, b.headers);
    await log.close();
    const again = open(dir);
    expect(again.producers.check(9, 0, 0, 2)).toEqual({ kind: 'duplicate', baseOffset: 0 });
    expect(again.producers.check(9, 0, 2, 1)).toEqual({ kind: 'append' });
    await again.close();
  });
});

import { kafkajsRecordBatch } from '../test/kafkajs-record-batch';
import { crc32c } from './crc32c';
import {
  parseRecordBatches,
  readRecordBatchHeader,
  RecordBatchLayout,
  rewriteRecordBatchBaseOffset,
} from './record-batch';

describe('RecordBatch v2', () => {
  it('parses headers of a kafkajs-encoded batch', async () => {
    const buf = await kafkajsRecordBatch({
      values: ['a', 'bb', 'ccc'],
      producerId: 42,
      producerEpoch: 3,
      firstSequence: 17,
      timestamp: 1700000000000,
    });
    const h = readRecordBatchHeader(buf, 0);
    expect(h).toMatchObject({
      position: 0,
      size: buf.length,
      baseOffset: 0,
      lastOffsetDelta: 2,
      recordsCount: 3,
      producerId: 42,
      producerEpoch: 3,
      baseSequence: 17,
      maxTimestamp: 1700000000000,
    });
  });

  it('rewriting the base offset keeps the CRC valid (CRC covers attributes onwards)', async () => {
    const buf = await kafkajsRecordBatch({ values: ['x', 'y'] });
    const crcBefore = buf.readUInt32BE(RecordBatchLayout.CRC);
    rewriteRecordBatchBaseOffset(buf, 0, 123456789012, 7);
    expect(buf.readBigInt64BE(0)).toBe(123456789012n);
    expect(buf.readInt32BE(RecordBatchLayout.PARTITION_LEADER_EPOCH)).toBe(7);
    expect(buf.readUInt32BE(RecordBatchLayout.CRC)).toBe(crcBefore);
    expect(crc32c(buf, RecordBatchLayout.ATTRIBUTES)).toBe(crcBefore);
    expect(readRecordBatchHeader(buf, 0)).toMatchObject({ baseOffset: 123456789012 });
  });

  it('passes compressed batches untouched (gzip)', async () => {
    const buf = await kafkajsRecordBatch({
      values: ['z'.repeat(500), 'q'.repeat(500)],
      compression: 1,
    });
    const h = readRecordBatchHeader(buf, 0);
    expect(typeof h).toBe('object');
    expect((h as { attributes: number }).attributes & 7).toBe(1);
  });

  it('splits concatenated batches', async () => {
    const a = await kafkajsRecordBatch({ values: ['1', '2'] });
    const b = await kafkajsRecordBatch({ values: ['3'] });
    const parsed = parseRecordBatches(Buffer.concat([a, b]));
    expect(Array.isArray(parsed) && parsed.map((h) => [h.position, h.recordsCount])).toEqual([
      [0, 2],
      [a.length, 1],
    ]);
  });

  it('detects a flipped payload byte, a torn tail, a bad magic and a lying length', async () => {
    const good = await kafkajsRecordBatch({ values: ['hello world'] });
    const flipped = Buffer.from(good);
    flipped[flipped.length - 2] ^= 0xff;
    expect(readRecordBatchHeader(flipped, 0)).toBe('bad-crc');
    expect(readRecordBatchHeader(good.subarray(0, good.length - 1), 0)).toBe('incomplete');
    expect(readRecordBatchHeader(good.subarray(0, 30), 0)).toBe('incomplete');
    const magic = Buffer.from(good);
    magic[RecordBatchLayout.MAGIC] = 1;
    expect(readRecordBatchHeader(magic, 0)).toBe('bad-magic');
    const lying = Buffer.from(good);
    lying.writeInt32BE(3, RecordBatchLayout.BATCH_LENGTH);
    expect(readRecordBatchHeader(lying, 0)).toBe('bad-length');
    expect(parseRecordBatches(Buffer.concat([good, flipped]))).toBe('bad-crc');
  });
});

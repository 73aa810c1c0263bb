import { crc32c } from './crc32c';

/** Byte layout of a RecordBatch v2 header (magic 2). */
export const RecordBatchLayout = {
  BASE_OFFSET: 0,
  BATCH_LENGTH: 8,
  PARTITION_LEADER_EPOCH: 12,
  MAGIC: 16,
  CRC: 17,
  ATTRIBUTES: 21,
  LAST_OFFSET_DELTA: 23,
  BASE_TIMESTAMP: 27,
  MAX_TIMESTAMP: 35,
  PRODUCER_ID: 43,
  PRODUCER_EPOCH: 51,
  BASE_SEQUENCE: 53,
  RECORDS_COUNT: 57,
  HEADER_SIZE: 61,
  /** baseOffset + batchLength precede the part counted by batchLength. */
  LOG_OVERHEAD: 12,
} as const;

const L = RecordBatchLayout;

export interface RecordBatchHeader {
  /** Position of the batch inside the buffer it was read from. */
  position: number;
  /** Total size including the 12-byte log overhead. */
  size: number;
  baseOffset: number;
  lastOffsetDelta: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordsCount: number;
  attributes: number;
}

export type BatchProblem = 'incomplete' | 'bad-length' | 'bad-magic' | 'bad-crc';

/**
 * Reads the header of the batch at `pos`. Returns a problem instead of throwing because on
 * recovery a bad batch means "truncate here", and on produce it means CORRUPT_MESSAGE.
 */
export function readRecordBatchHeader(
  buf: Buffer,
  pos: number,
  end = buf.length,
  verifyCrc = true,
): RecordBatchHeader | BatchProblem {
  if (end - pos < L.HEADER_SIZE) return 'incomplete';
  const batchLength = buf.readInt32BE(pos + L.BATCH_LENGTH);
  if (batchLength < L.HEADER_SIZE - L.LOG_OVERHEAD) return 'bad-length';
  const size = batchLength + L.LOG_OVERHEAD;
  if (end - pos < size) return 'incomplete';
  if (buf[pos + L.MAGIC] !== 2) return 'bad-magic';
  if (verifyCrc) {
    // The CRC covers attributes..end, so base offset and leader epoch may be rewritten freely.
    const expected = buf.readUInt32BE(pos + L.CRC);
    if (crc32c(buf, pos + L.ATTRIBUTES, pos + size) !== expected) return 'bad-crc';
  }
  return {
    position: pos,
    size,
    baseOffset: Number(buf.readBigInt64BE(pos + L.BASE_OFFSET)),
    lastOffsetDelta: buf.readInt32BE(pos + L.LAST_OFFSET_DELTA),
    maxTimestamp: Number(buf.readBigInt64BE(pos + L.MAX_TIMESTAMP)),
    producerId: Number(buf.readBigInt64BE(pos + L.PRODUCER_ID)),
    producerEpoch: buf.readInt16BE(pos + L.PRODUCER_EPOCH),
    baseSequence: buf.readInt32BE(pos + L.BASE_SEQUENCE),
    recordsCount: buf.readInt32BE(pos + L.RECORDS_COUNT),
    attributes: buf.readInt16BE(pos + L.ATTRIBUTES),
  };
}

/** Splits a produce payload into batch headers; null-ish problem when any batch is invalid. */
export function parseRecordBatches(
  buf: Buffer,
  verifyCrc = true,
): RecordBatchHeader[] | BatchProblem {
  const out: RecordBatchHeader[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const h = readRecordBatchHeader(buf, pos, buf.length, verifyCrc);
    if (typeof h === 'string') return h;
    out.push(h);
    pos += h.size;
  }
  return out;
}

/**
 * Assigns the broker's offset to a batch in place. Only baseOffset and partitionLeaderEpoch change,
 * both outside the CRC-covered range, so compressed payloads pass through untouched.
 */
export function rewriteRecordBatchBaseOffset(
  buf: Buffer,
  pos: number,
  baseOffset: number,
  leaderEpoch = 0,
): void {
  buf.writeBigInt64BE(BigInt(baseOffset), pos + L.BASE_OFFSET);
  buf.writeInt32BE(leaderEpoch, pos + L.PARTITION_LEADER_EPOCH);
}

export function isTransactionalOrControl(attributes: number): boolean {
  return (attributes & 0x30) !== 0;
}

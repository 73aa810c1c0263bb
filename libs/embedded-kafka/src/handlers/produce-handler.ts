import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/error-codes';
import { KafkaWriter } from '../protocol/kafka-writer';
import { parseRecordBatches, RecordBatchHeader } from '../protocol/record-batch';
import type { ApiHandler, BrokerContext } from '../server/api-handler';
import type { PartitionLog } from '../storage/partition-log';

interface PartitionResult {
  partition: number;
  errorCode: number;
  baseOffset: number;
  logStartOffset: number;
}

/**
 * Appends one partition's record set. Idempotent batches go one at a time so each is checked
 * against the sequence state left by the previous one.
 */
function appendPartition(
  log: PartitionLog,
  records: Buffer,
  durable: Promise<void>[],
): PartitionResult {
  const result: PartitionResult = {
    partition: log.partition,
    errorCode: ErrorCode.NONE,
    baseOffset: -1,
    logStartOffset: log.logStartOffset,
  };
  const batches = parseRecordBatches(records);
  if (typeof batches === 'string' || batches.length === 0) {
    result.errorCode =
      batches === 'bad-magic'
        ? ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT
        : ErrorCode.CORRUPT_MESSAGE;
    return result;
  }
  if (batches.every((b) => b.producerId < 0)) {
    const r = log.append(records, batches);
    durable.push(r.durable);
    result.baseOffset = r.baseOffset;
    return result;
  }
  for (const b of batches) {
    const verdict = log.producers.check(
      b.producerId,
      b.producerEpoch,
      b.baseSequence,
      b.recordsCount,
    );
    if (verdict.kind === 'error') {
      result.errorCode = verdict.errorCode;
      return result;
    }
    let offset: number;
    if (verdict.kind === 'duplicate') {
      offset = verdict.baseOffset;
      // A duplicate is only acknowledged once it is durable, like the original would have been.
      durable.push(log.flushIfDirty());
    } else {
      const single: RecordBatchHeader = { ...b, position: 0 };
      const r = log.append(records.subarray(b.position, b.position + b.size), [single]);
      durable.push(r.durable);
      offset = r.baseOffset;
    }
    if (result.baseOffset < 0) result.baseOffset = offset;
  }
  return result;
}

function writeResponse(
  v: number,
  topics: { name: string; partitions: PartitionResult[] }[],
): KafkaWriter {
  const w = new KafkaWriter(256);
  w.array(topics, (w2, t) => {
    w2.string(t.name).array(t.partitions, (w3, p) => {
      w3.int32(p.partition).int16(p.errorCode).int64(p.baseOffset);
      if (v >= 2) w3.int64(-1);
      if (v >= 5) w3.int64(p.logStartOffset);
    });
  });
  return w.int32(0);
}

export const produceHandler: ApiHandler = {
  apiKey: ApiKey.Produce,
  // v3 is the first with RecordBatch v2; v8 adds per-record errors we do not produce.
  minVersion: 3,
  maxVersion: 7,
  async handle(r, req, broker: BrokerContext) {
    r.nullableString();
    const acks = r.int16();
    const timeoutMs = r.int32();
    const topics = r.array(
      (x) => ({
        name: x.string(),
        partitions: x.array((y) => ({ partition: y.int32(), records: y.nullableBytes() }), 8),
      }),
      6,
    );
    const durable: Promise<void>[] = [];
    const results = topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p): PartitionResult => {
        const log = broker.logs.partition(t.name, p.partition);
        if (acks !== 0 && acks !== 1 && acks !== -1) {
          return {
            partition: p.partition,
            errorCode: ErrorCode.INVALID_REQUIRED_ACKS,
            baseOffset: -1,
            logStartOffset: -1,
          };
        }
        if (!log)
          return {
            partition: p.partition,
            errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            baseOffset: -1,
            logStartOffset: -1,
          };
        if (!p.records || p.records.length === 0) {
          return {
            partition: p.partition,
            errorCode: ErrorCode.CORRUPT_MESSAGE,
            baseOffset: -1,
            logStartOffset: log.logStartOffset,
          };
        }
        try {
          return appendPartition(log, p.records, durable);
        } catch (err) {
          broker.logger.error(
            { topic: t.name, partition: p.partition, err: (err as Error).message },
            'append failed',
          );
          return {
            partition: p.partition,
            errorCode: ErrorCode.KAFKA_STORAGE_ERROR,
            baseOffset: -1,
            logStartOffset: -1,
          };
        }
      }),
    }));
    if (acks === 0) {
      for (const d of durable) d.catch(() => undefined);
      return null;
    }
    // On one node acks=1 and acks=-1 mean the same ("the leader has it"); both wait for the fsync
    // policy so that an acknowledged record is always durable and already visible to readers.
    if (durable.length > 0) {
      let timedOut = false;
      let failed = false;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(durable).catch(() => {
          failed = true;
        }),
        new Promise<void>((resolve) => {
          timer = setTimeout(
            () => {
              timedOut = true;
              resolve();
            },
            Math.max(timeoutMs, 1000),
          );
        }),
      ]);
      clearTimeout(timer);
      if (failed || timedOut) {
        for (const t of results)
          for (const p of t.partitions)
            if (p.errorCode === 0)
              p.errorCode = failed ? ErrorCode.KAFKA_STORAGE_ERROR : ErrorCode.REQUEST_TIMED_OUT;
      }
    }
    return writeResponse(req.apiVersion, results);
  },
};

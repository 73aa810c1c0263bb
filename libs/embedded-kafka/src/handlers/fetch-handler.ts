import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/error-codes';
import { KafkaWriter } from '../protocol/kafka-writer';
import type { ApiHandler, BrokerContext } from '../server/api-handler';
import type { PartitionLog } from '../storage/partition-log';

const MAX_FETCH_RESPONSE_BYTES = 64 * 1024 * 1024;

interface FetchPartition {
  partition: number;
  fetchOffset: number;
  maxBytes: number;
}

interface FetchTopic {
  name: string;
  partitions: FetchPartition[];
}

interface PartitionData {
  partition: number;
  errorCode: number;
  highWatermark: number;
  logStartOffset: number;
  records: Buffer | null;
}

/** One pass over the requested partitions, honouring per-partition and per-response byte caps. */
function collect(
  topics: FetchTopic[],
  maxBytes: number,
  broker: BrokerContext,
): { data: { name: string; partitions: PartitionData[] }[]; bytes: number } {
  let bytes = 0;
  const data = topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p): PartitionData => {
      const log = broker.logs.partition(t.name, p.partition);
      if (!log)
        return {
          partition: p.partition,
          errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          highWatermark: -1,
          logStartOffset: -1,
          records: null,
        };
      const out: PartitionData = {
        partition: p.partition,
        errorCode: 0,
        highWatermark: log.highWatermark,
        logStartOffset: log.logStartOffset,
        records: null,
      };
      if (p.fetchOffset < log.logStartOffset || p.fetchOffset > log.logEndOffset) {
        out.errorCode = ErrorCode.OFFSET_OUT_OF_RANGE;
        return out;
      }
      const budget = Math.min(p.maxBytes, maxBytes - bytes);
      // KIP-74: the first non-empty partition returns at least one whole batch even if oversized.
      if (budget <= 0 && bytes > 0) return out;
      const records = log.read(p.fetchOffset, Math.max(budget, 0), bytes === 0);
      if (records) {
        out.records = records;
        bytes += records.length;
      }
      return out;
    }),
  }));
  return { data, bytes };
}

export const fetchHandler: ApiHandler = {
  apiKey: ApiKey.Fetch,
  // v4 is the first with RecordBatch v2 responses; v12 is flexible.
  minVersion: 4,
  maxVersion: 11,
  async handle(r, req, broker) {
    const v = req.apiVersion;
    r.int32();
    const maxWaitMs = Math.max(0, Math.min(r.int32(), 60_000));
    const minBytes = r.int32();
    // Like Kafka's fetch.max.bytes: a client cannot make one response hold gigabytes in memory.
    const maxBytes = Math.min(r.int32(), MAX_FETCH_RESPONSE_BYTES);
    r.int8();
    if (v >= 7) {
      r.int32();
      r.int32();
    }
    const topics: FetchTopic[] = r.array(
      (x) => ({
        name: x.string(),
        partitions: x.array((y) => {
          const partition = y.int32();
          if (v >= 9) y.int32();
          const fetchOffset = y.int64n();
          if (v >= 5) y.int64();
          return { partition, fetchOffset, maxBytes: y.int32() };
        }, 16),
      }),
      6,
    );
    // Fetch sessions are not offered (session id 0 in the answer): forgotten topics are moot.
    if (v >= 7) r.array((x) => ({ name: x.string(), partitions: x.array((y) => y.int32(), 4) }), 6);
    if (v >= 11) r.string();

    const deadline = Date.now() + maxWaitMs;
    let result = collect(topics, maxBytes, broker);
    const hasError = (): boolean =>
      result.data.some((t) => t.partitions.some((p) => p.errorCode !== 0));
    while (
      result.bytes < minBytes &&
      !hasError() &&
      Date.now() < deadline &&
      !req.isClosed() &&
      !broker.shuttingDown
    ) {
      const logs = topics.flatMap((t) =>
        t.partitions
          .map((p) => broker.logs.partition(t.name, p.partition))
          .filter((l): l is PartitionLog => !!l),
      );
      if (logs.length === 0) break;
      await broker.waitForData(
        logs,
        deadline - Date.now(),
        () => req.isClosed() || broker.shuttingDown,
      );
      result = collect(topics, maxBytes, broker);
      if (result.bytes >= minBytes) break;
    }

    const w = new KafkaWriter(512);
    w.int32(0);
    if (v >= 7) w.int16(ErrorCode.NONE).int32(0);
    w.array(result.data, (w2, t) => {
      w2.string(t.name).array(t.partitions, (w3, p) => {
        w3.int32(p.partition).int16(p.errorCode).int64(p.highWatermark).int64(p.highWatermark);
        if (v >= 5) w3.int64(p.logStartOffset);
        w3.int32(0);
        if (v >= 11) w3.int32(-1);
        w3.nullableBytes(p.records ?? Buffer.alloc(0));
      });
    });
    return w;
  },
};

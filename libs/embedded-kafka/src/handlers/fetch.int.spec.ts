import { EmbeddedBroker, startEmbeddedBroker } from '../embedded-broker';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/error-codes';
import { KafkaReader } from '../protocol/kafka-reader';
import { parseRecordBatches } from '../protocol/record-batch';
import { kafkajsRecordBatch } from '../test/kafkajs-record-batch';
import { RawKafkaClient } from '../test/raw-kafka-client';
import { makeTempDir, removeTempDirs } from '../test/temp-dir';

interface FetchedPartition {
  partition: number;
  errorCode: number;
  highWatermark: bigint;
  batchOffsets: number[];
  bytes: number;
}

function readFetchV11(r: KafkaReader): FetchedPartition[] {
  r.int32();
  expect(r.int16()).toBe(0);
  r.int32();
  const out: FetchedPartition[] = [];
  r.array((t) => {
    t.string();
    t.array((p) => {
      const partition = p.int32();
      const errorCode = p.int16();
      const highWatermark = p.int64();
      p.int64();
      p.int64();
      p.array((a) => [a.int64(), a.int64()]);
      p.int32();
      const records = p.bytes();
      const batches = parseRecordBatches(records);
      out.push({
        partition,
        errorCode,
        highWatermark,
        batchOffsets: typeof batches === 'string' ? [] : batches.map((b) => b.baseOffset),
        bytes: records.length,
      });
    });
  });
  return out;
}

describe('fetch semantics (raw protocol, Fetch v11)', () => {
  let broker: EmbeddedBroker;
  let c: RawKafkaClient;
  let corr = 0;
  let batchSize = 0;

  const fetch = (opts: {
    maxWait: number;
    minBytes?: number;
    maxBytes?: number;
    parts: [number, number, number][];
  }): Buffer =>
    RawKafkaClient.request(ApiKey.Fetch, 11, ++corr, (w) =>
      w
        .int32(-1)
        .int32(opts.maxWait)
        .int32(opts.minBytes ?? 1)
        .int32(opts.maxBytes ?? 1 << 20)
        .int8(0)
        .int32(0)
        .int32(-1)
        .array(['fetchy'], (w2, name) =>
          w2
            .string(name)
            .array(opts.parts, (w3, [p, offset, max]) =>
              w3.int32(p).int32(-1).int64(offset).int64(-1).int32(max),
            ),
        )
        .int32(0)
        .string(''),
    );

  async function produce(partition: number, values: string[]): Promise<void> {
    const batch = await kafkajsRecordBatch({ values });
    batchSize = batch.length;
    const p = await RawKafkaClient.connect(broker.port);
    p.write(
      RawKafkaClient.request(ApiKey.Produce, 7, 1, (w) =>
        w
          .nullableString(null)
          .int16(-1)
          .int32(5000)
          .int32(1)
          .string('fetchy')
          .int32(1)
          .int32(partition)
          .bytes(batch),
      ),
    );
    await p.next();
    p.close();
  }

  beforeAll(async () => {
    broker = await startEmbeddedBroker({
      dataDir: makeTempDir(),
      autoCreateTopics: true,
      defaultPartitions: 2,
    });
    c = await RawKafkaClient.connect(broker.port);
    c.write(
      RawKafkaClient.request(ApiKey.Metadata, 4, ++corr, (w) =>
        w.int32(1).string('fetchy').bool(true),
      ),
    );
    await c.next();
  });
  afterAll(async () => {
    c.close();
    await broker.close();
    removeTempDirs();
  });

  it('a long poll is woken by a produce instead of waiting out max wait', async () => {
    const started = Date.now();
    c.write(fetch({ maxWait: 10_000, parts: [[0, 0, 1 << 20]] }));
    setTimeout(() => void produce(0, ['wake-up']), 200);
    const res = readFetchV11((await c.next(15_000)).r);
    const elapsed = Date.now() - started;
    expect(res[0].batchOffsets).toEqual([0]);
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(5000);
  });

  it('returns after max wait with nothing when min bytes is not reached', async () => {
    const started = Date.now();
    c.write(fetch({ maxWait: 300, parts: [[1, 0, 1 << 20]] }));
    const res = readFetchV11((await c.next()).r);
    expect(res[0]).toMatchObject({ errorCode: 0, bytes: 0, highWatermark: 0n });
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
  });

  it('honours partition max bytes (whole batches, at least one) and response max bytes', async () => {
    for (let i = 0; i < 5; i++) await produce(1, [`p1-${i}-`.padEnd(100, 'x')]);
    c.write(fetch({ maxWait: 0, parts: [[1, 0, batchSize * 2 + 10]] }));
    expect(readFetchV11((await c.next()).r)[0].batchOffsets).toEqual([0, 1]);
    // A budget smaller than one batch still returns exactly one batch (KIP-74).
    c.write(fetch({ maxWait: 0, parts: [[1, 2, 1]] }));
    expect(readFetchV11((await c.next()).r)[0].batchOffsets).toEqual([2]);
    // Response cap across partitions: partition 1 fills it, partition 0 gets nothing.
    c.write(
      fetch({
        maxWait: 0,
        maxBytes: batchSize * 3,
        parts: [
          [1, 0, 1 << 20],
          [0, 0, 1 << 20],
        ],
      }),
    );
    const both = readFetchV11((await c.next()).r);
    expect(both.map((p) => p.batchOffsets)).toEqual([[0, 1, 2], []]);
  });

  it('reports OFFSET_OUT_OF_RANGE past the log end and UNKNOWN_TOPIC_OR_PARTITION for a missing partition', async () => {
    c.write(
      fetch({
        maxWait: 5000,
        parts: [
          [1, 99, 1 << 20],
          [7, 0, 1 << 20],
        ],
      }),
    );
    const res = readFetchV11((await c.next()).r);
    expect(res.map((p) => p.errorCode)).toEqual([
      ErrorCode.OFFSET_OUT_OF_RANGE,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ]);
  });

  it('close() answers parked fetches and shuts down promptly', async () => {
    const other = await startEmbeddedBroker({ dataDir: makeTempDir(), autoCreateTopics: true });
    const cc = await RawKafkaClient.connect(other.port);
    cc.write(
      RawKafkaClient.request(ApiKey.Metadata, 4, 1, (w) => w.int32(1).string('fetchy').bool(true)),
    );
    await cc.next();
    cc.write(fetch({ maxWait: 30_000, parts: [[0, 0, 1 << 20]] }));
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    const answered = cc.next(10_000);
    await other.close();
    expect(readFetchV11((await answered).r)[0].errorCode).toBe(0);
    expect(Date.now() - started).toBeLessThan(3000);
    cc.close();
  });
});

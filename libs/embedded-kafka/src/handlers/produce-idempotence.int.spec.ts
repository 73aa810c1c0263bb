import { EmbeddedBroker, startEmbeddedBroker } from '../embedded-broker';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/error-codes';
import { kafkajsRecordBatch } from '../test/kafkajs-record-batch';
import { RawKafkaClient } from '../test/raw-kafka-client';
import { makeTempDir, removeTempDirs } from '../test/temp-dir';

describe('idempotent produce (raw protocol)', () => {
  let broker: EmbeddedBroker;
  let c: RawKafkaClient;
  let corr = 0;

  beforeAll(async () => {
    broker = await startEmbeddedBroker({ dataDir: makeTempDir(), autoCreateTopics: true });
    c = await RawKafkaClient.connect(broker.port);
    c.write(
      RawKafkaClient.request(ApiKey.Metadata, 4, ++corr, (w) =>
        w.int32(1).string('idem').bool(true),
      ),
    );
    await c.next();
  });
  afterAll(async () => {
    c.close();
    await broker.close();
    removeTempDirs();
  });

  async function initProducerId(): Promise<bigint> {
    c.write(
      RawKafkaClient.request(ApiKey.InitProducerId, 1, ++corr, (w) =>
        w.nullableString(null).int32(60000),
      ),
    );
    const { r } = await c.next();
    r.int32();
    expect(r.int16()).toBe(0);
    return r.int64();
  }

  async function produce(
    records: Buffer,
    acks = -1,
  ): Promise<{ errorCode: number; baseOffset: bigint }> {
    c.write(
      RawKafkaClient.request(ApiKey.Produce, 7, ++corr, (w) =>
        w
          .nullableString(null)
          .int16(acks)
          .int32(5000)
          .int32(1)
          .string('idem')
          .int32(1)
          .int32(0)
          .bytes(records),
      ),
    );
    const { correlationId, r } = await c.next();
    expect(correlationId).toBe(corr);
    r.int32();
    r.string();
    r.int32();
    r.int32();
    return { errorCode: r.int16(), baseOffset: r.int64() };
  }

  it('allocates distinct producer ids', async () => {
    const a = await initProducerId();
    const b = await initProducerId();
    expect(a).toBeGreaterThan(0n);
    expect(b).not.toBe(a);
  });

  it('acknowledges a retried batch with its original offset without appending it again, and rejects gaps', async () => {
    const pid = Number(await initProducerId());
    const b0 = await kafkajsRecordBatch({ values: ['a', 'b'], producerId: pid, firstSequence: 0 });
    const b1 = await kafkajsRecordBatch({ values: ['c'], producerId: pid, firstSequence: 2 });
    const gap = await kafkajsRecordBatch({ values: ['z'], producerId: pid, firstSequence: 9 });
    expect(await produce(b0)).toEqual({ errorCode: 0, baseOffset: 0n });
    expect(await produce(b1)).toEqual({ errorCode: 0, baseOffset: 2n });
    expect(await produce(Buffer.from(b0))).toEqual({ errorCode: 0, baseOffset: 0n });
    expect(await produce(Buffer.from(b1))).toEqual({ errorCode: 0, baseOffset: 2n });
    expect((await produce(gap)).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    // Log end is still 3: duplicates and the out-of-order batch were not written.
    c.write(
      RawKafkaClient.request(ApiKey.ListOffsets, 1, ++corr, (w) =>
        w.int32(-1).int32(1).string('idem').int32(1).int32(0).int64(-1),
      ),
    );
    const { r } = await c.next();
    r.int32();
    r.string();
    r.int32();
    r.int32();
    expect(r.int16()).toBe(0);
    r.int64();
    expect(r.int64()).toBe(3n);
  });

  it('sends no response for acks=0 but still appends', async () => {
    const batch = await kafkajsRecordBatch({ values: ['fire-and-forget'] });
    c.write(
      RawKafkaClient.request(ApiKey.Produce, 3, ++corr, (w) =>
        w
          .nullableString(null)
          .int16(0)
          .int32(5000)
          .int32(1)
          .string('idem')
          .int32(1)
          .int32(0)
          .bytes(batch),
      ),
    );
    const apiVersionsCorr = ++corr;
    c.write(RawKafkaClient.request(ApiKey.ApiVersions, 0, apiVersionsCorr, () => undefined));
    expect((await c.next()).correlationId).toBe(apiVersionsCorr);
  });
});

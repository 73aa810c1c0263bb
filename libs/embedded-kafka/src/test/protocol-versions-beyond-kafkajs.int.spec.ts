import { EmbeddedBroker, startEmbeddedBroker } from '../embedded-broker';
import { ApiKey } from '../protocol/api-keys';
import { KafkaReader } from '../protocol/kafka-reader';
import { KafkaWriter } from '../protocol/kafka-writer';
import { kafkajsRecordBatch } from './kafkajs-record-batch';
import { RawKafkaClient } from './raw-kafka-client';
import { makeTempDir, removeTempDirs } from './temp-dir';

// Advertised versions above kafkajs' maximum, decoded by hand from Apache Kafka's message schemas;
// every response must be consumed exactly (no missing or extra fields).
describe('advertised versions kafkajs does not speak (raw protocol)', () => {
  let broker: EmbeddedBroker;
  let c: RawKafkaClient;
  let corr = 0;

  async function call(
    apiKey: number,
    version: number,
    body: (w: KafkaWriter) => void,
  ): Promise<KafkaReader> {
    c.write(RawKafkaClient.request(apiKey, version, ++corr, body));
    const { correlationId, r } = await c.next();
    expect(correlationId).toBe(corr);
    return r;
  }

  beforeAll(async () => {
    broker = await startEmbeddedBroker({
      dataDir: makeTempDir(),
      autoCreateTopics: true,
      defaultPartitions: 2,
    });
    c = await RawKafkaClient.connect(broker.port);
    const batch = await kafkajsRecordBatch({
      values: ['a', 'b', 'c'],
      timestamp: 1_700_000_000_000,
    });
    await call(ApiKey.Metadata, 4, (w) => w.int32(1).string('beyond').bool(true));
    const r = await call(ApiKey.Produce, 7, (w) =>
      w
        .nullableString(null)
        .int16(-1)
        .int32(5000)
        .int32(1)
        .string('beyond')
        .int32(1)
        .int32(0)
        .bytes(batch),
    );
    r.skip(r.remaining);
  });
  afterAll(async () => {
    c.close();
    await broker.close();
    removeTempDirs();
  });

  it.each([7, 8])('Metadata v%i', async (v) => {
    const r = await call(ApiKey.Metadata, v, (w) => {
      w.int32(1).string('beyond').bool(false);
      if (v >= 8) w.bool(false).bool(false);
    });
    expect(r.int32()).toBe(0);
    const brokers = r.array((x) => ({
      id: x.int32(),
      host: x.string(),
      port: x.int32(),
      rack: x.nullableString(),
    }));
    expect(brokers).toEqual([{ id: 0, host: '127.0.0.1', port: broker.port, rack: null }]);
    r.nullableString();
    expect(r.int32()).toBe(0);
    const topics = r.array((t) => {
      const out = {
        error: t.int16(),
        name: t.string(),
        internal: t.bool(),
        partitions: t.array((p) => {
          const part = {
            error: p.int16(),
            index: p.int32(),
            leader: p.int32(),
            epoch: p.int32(),
            replicas: p.array((x) => x.int32()),
            isr: p.array((x) => x.int32()),
            offline: p.array((x) => x.int32()),
          };
          return part;
        }),
      };
      if (v >= 8) t.int32();
      return out;
    });
    if (v >= 8) r.int32();
    expect(r.remaining).toBe(0);
    expect(topics[0]).toMatchObject({ error: 0, name: 'beyond', internal: false });
    expect(
      topics[0].partitions.map((p) => [p.index, p.leader, p.replicas, p.isr, p.offline]),
    ).toEqual([
      [0, 0, [0], [0], []],
      [1, 0, [0], [0], []],
    ]);
  });

  it.each([4, 5])('ListOffsets v%i (latest, earliest, by timestamp)', async (v) => {
    const r = await call(ApiKey.ListOffsets, v, (w) =>
      w
        .int32(-1)
        .int8(0)
        .array([-1, -2, 1_600_000_000_000], (w2, ts) => {
          w2.string('beyond').array([0], (w3, p) => w3.int32(p).int32(-1).int64(ts));
        }),
    );
    expect(r.int32()).toBe(0);
    const res = r.array((t) => {
      t.string();
      return t.array((p) => ({
        p: p.int32(),
        err: p.int16(),
        ts: p.int64(),
        offset: p.int64(),
        epoch: p.int32(),
      }))[0];
    });
    expect(r.remaining).toBe(0);
    expect(res.map((x) => [x.err, x.offset])).toEqual([
      [0, 3n],
      [0, 0n],
      [0, 0n],
    ]);
    expect(res[2].ts).toBe(1_700_000_000_000n);
  });

  it('OffsetCommit v6 then OffsetFetch v5 (simple commit, no group membership)', async () => {
    const commit = await call(ApiKey.OffsetCommit, 6, (w) =>
      w
        .string('beyond-g')
        .int32(-1)
        .string('')
        .array(['beyond'], (w2, t) =>
          w2.string(t).array([0], (w3, p) => w3.int32(p).int64(2).int32(-1).nullableString('meta')),
        ),
    );
    expect(commit.int32()).toBe(0);
    const cres = commit.array((t) => ({
      name: t.string(),
      parts: t.array((p) => [p.int32(), p.int16()]),
    }));
    expect(commit.remaining).toBe(0);
    expect(cres).toEqual([{ name: 'beyond', parts: [[0, 0]] }]);

    const fetch = await call(ApiKey.OffsetFetch, 5, (w) =>
      w
        .string('beyond-g')
        .array(['beyond'], (w2, t) => w2.string(t).array([0], (w3, p) => w3.int32(p))),
    );
    expect(fetch.int32()).toBe(0);
    const fres = fetch.array((t) => ({
      name: t.string(),
      parts: t.array((p) => ({
        p: p.int32(),
        offset: p.int64(),
        epoch: p.int32(),
        meta: p.nullableString(),
        err: p.int16(),
      })),
    }));
    expect(fetch.int16()).toBe(0);
    expect(fetch.remaining).toBe(0);
    expect(fres).toEqual([
      { name: 'beyond', parts: [{ p: 0, offset: 2n, epoch: -1, meta: 'meta', err: 0 }] },
    ]);
  });

  it('DeleteTopics v3', async () => {
    const r = await call(ApiKey.DeleteTopics, 3, (w) =>
      w.array(['beyond', 'never-existed'], (w2, t) => w2.string(t)).int32(1000),
    );
    expect(r.int32()).toBe(0);
    const res = r.array((t) => [t.string(), t.int16()]);
    expect(r.remaining).toBe(0);
    expect(res).toEqual([
      ['beyond', 0],
      ['never-existed', 3],
    ]);
  });
});

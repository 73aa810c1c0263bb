import { CompressionTypes, Consumer, Kafka, logLevel } from 'kafkajs';
import { EmbeddedBroker, startEmbeddedBroker } from '../embedded-broker';
import { eventually } from './eventually';
import { makeTempDir, removeTempDirs } from './temp-dir';

type Seen = Map<number, number[]>;

function record(seen: Seen, partition: number, offset: string): void {
  const list = seen.get(partition) ?? [];
  list.push(Number(offset));
  seen.set(partition, list);
}

describe('kafkajs consumers and consumer groups against the embedded broker', () => {
  let broker: EmbeddedBroker;
  let kafka: Kafka;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    broker = await startEmbeddedBroker({
      dataDir: makeTempDir(),
      autoCreateTopics: true,
      defaultPartitions: 3,
    });
    kafka = new Kafka({
      clientId: 'group-spec',
      brokers: broker.brokers,
      logLevel: logLevel.NOTHING,
    });
  });
  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.disconnect().catch(() => undefined)));
  });
  afterAll(async () => {
    await broker.close();
    removeTempDirs();
  });

  function consumer(groupId: string): Consumer {
    const c = kafka.consumer({
      groupId,
      sessionTimeout: 10_000,
      heartbeatInterval: 500,
      rebalanceTimeout: 10_000,
      maxWaitTimeInMs: 200,
    });
    consumers.push(c);
    return c;
  }

  async function produce(
    topic: string,
    n: number,
    opts: { compression?: CompressionTypes; from?: number } = {},
  ): Promise<void> {
    const p = kafka.producer();
    await p.connect();
    const from = opts.from ?? 0;
    for (let i = from; i < from + n; i += 50) {
      await p.send({
        topic,
        compression: opts.compression,
        messages: Array.from({ length: Math.min(50, from + n - i) }, (_, j) => ({
          key: `key-${(i + j) % 17}`,
          value: `value-${i + j}`,
        })),
      });
    }
    await p.disconnect();
  }

  it('eachMessage receives every record once, in order within each partition, and commits', async () => {
    await produce('each-message', 300);
    const c = consumer('g-each-message');
    await c.connect();
    await c.subscribe({ topic: 'each-message', fromBeginning: true });
    const seen: Seen = new Map();
    const values = new Set<string>();
    await c.run({
      eachMessage: async ({ partition, message }) => {
        record(seen, partition, message.offset);
        values.add(message.value!.toString());
      },
    });
    await eventually('300 records consumed', () => values.size === 300);
    for (const offsets of seen.values()) expect(offsets).toEqual(offsets.map((_, i) => i));
    await c.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({
      groupId: 'g-each-message',
      topics: ['each-message'],
    });
    const high = await admin.fetchTopicOffsets('each-message');
    await admin.disconnect();
    const byPartition = new Map(high.map((h) => [h.partition, h.high]));
    expect(committed.partitions.map((p) => [p.partition, p.offset]).sort()).toEqual(
      [...byPartition.entries()].map(([p, h]) => [p, h]).sort(),
    );
  });

  it('eachBatch decodes gzip batches', async () => {
    await produce('each-batch-gzip', 200, { compression: CompressionTypes.GZIP });
    const c = consumer('g-each-batch');
    await c.connect();
    await c.subscribe({ topic: 'each-batch-gzip', fromBeginning: true });
    const values = new Set<string>();
    let batches = 0;
    await c.run({
      eachBatch: async ({ batch }) => {
        batches++;
        for (const m of batch.messages) values.add(m.value!.toString());
      },
    });
    await eventually('200 gzip records consumed', () => values.size === 200);
    expect(values).toEqual(new Set(Array.from({ length: 200 }, (_, i) => `value-${i}`)));
    expect(batches).toBeGreaterThan(0);
  });

  it('a 3-member group with members joining and leaving mid-stream processes every record at least once, none skipped', async () => {
    const topic = 'group-churn';
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 6 }] });
    const seen: Seen = new Map();
    const start = async (): Promise<Consumer> => {
      const c = consumer('g-churn');
      await c.connect();
      await c.subscribe({ topic, fromBeginning: true });
      await c.run({
        eachMessage: async ({ partition, message }) => {
          record(seen, partition, message.offset);
          await new Promise((r) => setImmediate(r));
        },
      });
      return c;
    };
    const total = (): number => [...seen.values()].reduce((n, l) => n + new Set(l).size, 0);
    const a = await start();
    const b = await start();
    await produce(topic, 600);
    await eventually('first records consumed', () => total() > 100);
    const c = await start();
    await produce(topic, 600, { from: 600 });
    await eventually('records consumed after the third member joined', () => total() > 800);
    await a.disconnect();
    await produce(topic, 600, { from: 1200 });
    await eventually(
      'all 1800 records consumed by the remaining members',
      () => total() === 1800,
      45_000,
    );
    const high = await admin.fetchTopicOffsets(topic);
    for (const h of high) {
      const got = new Set(seen.get(h.partition) ?? []);
      const missing = Array.from({ length: Number(h.high) }, (_, i) => i).filter(
        (o) => !got.has(o),
      );
      expect({ partition: h.partition, missing }).toEqual({ partition: h.partition, missing: [] });
    }
    const described = await admin.describeGroups(['g-churn']);
    expect(described.groups[0].members).toHaveLength(2);
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).toContain('g-churn');
    await admin.disconnect();
    void b;
    void c;
  });
});

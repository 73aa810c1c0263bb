import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { EmbeddedBroker, startEmbeddedBroker } from '../embedded-broker';
import { makeTempDir, removeTempDirs } from './temp-dir';

describe('kafkajs admin and producer against the embedded broker', () => {
  let broker: EmbeddedBroker;
  let kafka: Kafka;

  beforeAll(async () => {
    broker = await startEmbeddedBroker({
      dataDir: makeTempDir(),
      autoCreateTopics: true,
      defaultPartitions: 2,
    });
    kafka = new Kafka({
      clientId: 'spec',
      brokers: broker.brokers,
      logLevel: logLevel.NOTHING,
      retry: { retries: 3 },
    });
  });
  afterAll(async () => {
    await broker.close();
    removeTempDirs();
  });

  it('exposes the bound port and a bootstrap list', () => {
    expect(broker.port).toBeGreaterThan(0);
    expect(broker.brokers).toEqual([`127.0.0.1:${broker.port}`]);
  });

  it('admin creates, lists, describes and deletes topics', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(
        await admin.createTopics({
          topics: [{ topic: 'adm-a', numPartitions: 4 }, { topic: 'adm-b' }],
        }),
      ).toBe(true);
      expect(await admin.createTopics({ topics: [{ topic: 'adm-a', numPartitions: 4 }] })).toBe(
        false,
      );
      expect((await admin.listTopics()).sort()).toEqual(expect.arrayContaining(['adm-a', 'adm-b']));
      const meta = await admin.fetchTopicMetadata({ topics: ['adm-a', 'adm-b'] });
      expect(meta.topics.map((t) => [t.name, t.partitions.length]).sort()).toEqual([
        ['adm-a', 4],
        ['adm-b', 2],
      ]);
      await admin.deleteTopics({ topics: ['adm-b'] });
      expect(await admin.listTopics()).not.toContain('adm-b');
      await expect(admin.createTopics({ topics: [{ topic: 'bad/name' }] })).rejects.toThrow();
    } finally {
      await admin.disconnect();
    }
  });

  it('producer acks -1/1, gzip batches, fetchTopicOffsets and offsets by timestamp', async () => {
    const admin = kafka.admin();
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await Promise.all([admin.connect(), producer.connect()]);
    try {
      await admin.createTopics({ topics: [{ topic: 'prod', numPartitions: 3 }] });
      const before = Date.now();
      const r1 = await producer.send({
        topic: 'prod',
        acks: -1,
        messages: Array.from({ length: 30 }, (_, i) => ({ partition: i % 3, value: `v${i}` })),
      });
      expect(r1.map((r) => r.errorCode)).toEqual([0, 0, 0]);
      await producer.send({
        topic: 'prod',
        acks: 1,
        compression: CompressionTypes.GZIP,
        messages: [
          { partition: 1, value: 'z'.repeat(5000) },
          { partition: 1, value: 'gz2' },
        ],
      });
      const offsets = await admin.fetchTopicOffsets('prod');
      expect(
        offsets.sort((a, b) => a.partition - b.partition).map((o) => [o.partition, o.low, o.high]),
      ).toEqual([
        [0, '0', '10'],
        [1, '0', '12'],
        [2, '0', '10'],
      ]);
      const byTs = await admin.fetchTopicOffsetsByTimestamp('prod', before - 60_000);
      expect(byTs.map((o) => o.offset)).toEqual(['0', '0', '0']);
    } finally {
      await Promise.all([admin.disconnect(), producer.disconnect()]);
    }
  });

  it('idempotent producer writes each record once', async () => {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    const admin = kafka.admin();
    await Promise.all([admin.connect(), producer.connect()]);
    try {
      for (let i = 0; i < 5; i++)
        await producer.send({
          topic: 'idem-js',
          messages: [
            { partition: 0, value: `m${i}` },
            { partition: 0, value: `n${i}` },
          ],
        });
      const [p0] = await admin.fetchTopicOffsets('idem-js');
      expect(p0.high).toBe('10');
    } finally {
      await Promise.all([admin.disconnect(), producer.disconnect()]);
    }
  });
});

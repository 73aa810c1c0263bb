import { Kafka, logLevel } from 'kafkajs';
import { EmbeddedBroker, startEmbeddedBroker } from '../embedded-broker';
import { eventually } from './eventually';
import { runKcat, startKcat } from './run-kcat';
import { makeTempDir, removeTempDirs } from './temp-dir';

describe('librdkafka group consumption (kcat -G)', () => {
  let broker: EmbeddedBroker;

  beforeAll(async () => {
    broker = await startEmbeddedBroker({
      dataDir: makeTempDir(),
      autoCreateTopics: true,
      defaultPartitions: 3,
    });
  });
  afterAll(async () => {
    await broker.close();
    removeTempDirs();
  });

  it('consumes every record as a group member and commits its offsets', async () => {
    const bootstrap = broker.brokers[0];
    const lines = Array.from({ length: 300 }, (_, i) => `k${i % 7}:v${i}`);
    const p = await runKcat(
      ['-b', bootstrap, '-P', '-t', 'kcat-group', '-K', ':'],
      `${lines.join('\n')}\n`,
    );
    expect(p.code).toBe(0);
    const consumer = startKcat([
      '-b',
      bootstrap,
      '-u',
      '-G',
      'kcat-g',
      '-o',
      'beginning',
      '-q',
      '-f',
      '%p %o %s\n',
      '-X',
      'auto.commit.interval.ms=100',
      '-X',
      'session.timeout.ms=6000',
      'kcat-group',
    ]);
    try {
      await eventually(
        () =>
          `300 records via kcat -G (got ${consumer.lines.length}; stderr: ${consumer.stderr()})`,
        () => consumer.lines.length >= 300,
        30_000,
      );
      expect(new Set(consumer.lines.map((l) => l.split(' ')[2]))).toEqual(
        new Set(lines.map((l) => l.split(':')[1])),
      );
      const admin = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        await eventually(
          'kcat committed all offsets',
          async () => {
            const [t] = await admin.fetchOffsets({ groupId: 'kcat-g', topics: ['kcat-group'] });
            const sum = t.partitions.reduce((n, x) => n + Math.max(0, Number(x.offset)), 0);
            return sum === 300;
          },
          15_000,
        );
        const groups = await admin.describeGroups(['kcat-g']);
        expect(groups.groups[0].protocolType).toBe('consumer');
      } finally {
        await admin.disconnect();
      }
    } finally {
      await consumer.stop();
    }
  });
});

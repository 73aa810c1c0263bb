import { EmbeddedBroker, startEmbeddedBroker } from '../embedded-broker';
import { runKcat } from './run-kcat';
import { makeTempDir, removeTempDirs } from './temp-dir';

describe('librdkafka (kcat) against the embedded broker', () => {
  let broker: EmbeddedBroker;
  let bootstrap: string;

  beforeAll(async () => {
    broker = await startEmbeddedBroker({
      dataDir: makeTempDir(),
      autoCreateTopics: true,
      defaultPartitions: 3,
    });
    bootstrap = broker.brokers[0];
  });
  afterAll(async () => {
    await broker.close();
    removeTempDirs();
  });

  it('-L lists brokers and topics', async () => {
    const create = await runKcat(['-b', bootstrap, '-P', '-t', 'kcat-meta', '-p', '0'], 'x\n');
    expect(create.code).toBe(0);
    const r = await runKcat(['-b', bootstrap, '-L', '-J']);
    expect(r.code).toBe(0);
    const meta = JSON.parse(r.stdout) as {
      brokers: { id: number; name: string }[];
      topics: { topic: string; partitions: unknown[] }[];
    };
    expect(meta.brokers).toEqual([{ id: 0, name: bootstrap }]);
    expect(meta.topics.find((t) => t.topic === 'kcat-meta')?.partitions).toHaveLength(3);
  });

  it('-P (idempotent) then -C round-trips keys and values in order per partition, with every codec', async () => {
    const lines = Array.from({ length: 200 }, (_, i) => `k${i}:value-${i}`);
    for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
      const topic = `kcat-rt-${codec}`;
      const p = await runKcat(
        [
          '-b',
          bootstrap,
          '-P',
          '-t',
          topic,
          '-p',
          '1',
          '-K',
          ':',
          '-z',
          codec,
          '-X',
          'linger.ms=5',
          // Exercises InitProducerId and per-partition sequence checks from librdkafka too.
          '-X',
          'enable.idempotence=true',
        ],
        `${lines.join('\n')}\n`,
      );
      expect({ codec, code: p.code, stderr: p.stderr }).toEqual({ codec, code: 0, stderr: '' });
      const c = await runKcat([
        '-b',
        bootstrap,
        '-C',
        '-t',
        topic,
        '-p',
        '1',
        '-o',
        'beginning',
        '-e',
        '-q',
        '-f',
        '%o|%k|%s\n',
      ]);
      expect(c.code).toBe(0);
      expect(c.stdout.trim().split('\n')).toEqual(
        lines.map((l, i) => `${i}|${l.replace(':', '|')}`),
      );
    }
  });
});

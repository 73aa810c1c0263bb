import { Kafka, logLevel } from 'kafkajs';
import { BrokerProcess, spawnBrokerProcess, waitExit } from './broker-process';
import { eventually } from './eventually';
import { runKcat } from './run-kcat';
import { makeTempDir, removeTempDirs } from './temp-dir';

describe('durability across SIGKILL (broker as a child process)', () => {
  let proc: BrokerProcess | null = null;
  afterEach(async () => {
    if (proc && proc.child.exitCode === null && proc.child.signalCode === null) {
      proc.child.kill('SIGKILL');
      await waitExit(proc.child);
    }
    removeTempDirs();
  });

  it('keeps every acknowledged record after SIGKILL mid-stream and restart', async () => {
    const dataDir = makeTempDir();
    proc = await spawnBrokerProcess([
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--partitions',
      '3',
      '--segment-bytes',
      '20000',
      '--log-level',
      'warn',
    ]);
    const kafka = new Kafka({
      brokers: [`127.0.0.1:${proc.port}`],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });
    const producer = kafka.producer({ allowAutoTopicCreation: true, retry: { retries: 0 } });
    await producer.connect();
    const acked = new Set<string>();
    let stop = false;
    // Several concurrent writers so the kill lands while produces (and fsyncs) are in flight.
    const writers = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        const values = Array.from({ length: 5 }, (_, j) => `w${w}-${i}-${j}`);
        try {
          await producer.send({
            topic: 'crash',
            acks: -1,
            messages: values.map((value) => ({ key: `w${w}`, value })),
          });
          for (const v of values) acked.add(v);
        } catch {
          return;
        }
      }
    });
    while (acked.size < 1500) await new Promise((r) => setTimeout(r, 20));
    proc.child.kill('SIGKILL');
    stop = true;
    await waitExit(proc.child);
    await Promise.all(writers);
    await producer.disconnect().catch(() => undefined);
    expect(acked.size).toBeGreaterThanOrEqual(1500);

    proc = await spawnBrokerProcess(['--port', '0', '--data-dir', dataDir, '--log-level', 'warn']);
    const c = await runKcat([
      '-b',
      `127.0.0.1:${proc.port}`,
      '-C',
      '-t',
      'crash',
      '-o',
      'beginning',
      '-e',
      '-q',
      '-f',
      '%k %s\n',
    ]);
    expect(c.code).toBe(0);
    const seen = c.stdout.trim().split('\n');
    const values = new Set(seen.map((l) => l.split(' ')[1]));
    const missing = [...acked].filter((v) => !values.has(v));
    expect(missing).toEqual([]);
    // Per-key order survived: each writer's records appear in send order on its partition.
    for (let w = 0; w < 4; w++) {
      const mine = seen
        .filter((l) => l.startsWith(`w${w} `))
        .map((l) => l.split(' ')[1].split('-').slice(1).map(Number));
      const sorted = [...mine].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      expect(mine).toEqual(sorted);
    }
    // The restarted broker accepts new writes after recovery.
    const p2 = new Kafka({
      brokers: [`127.0.0.1:${proc.port}`],
      logLevel: logLevel.NOTHING,
    }).producer();
    await p2.connect();
    await p2.send({ topic: 'crash', acks: -1, messages: [{ value: 'after-restart' }] });
    await p2.disconnect();
    proc.child.kill('SIGTERM');
    expect(await waitExit(proc.child)).toBe(0);
  });

  it('keeps committed consumer-group offsets across SIGKILL', async () => {
    const dataDir = makeTempDir();
    proc = await spawnBrokerProcess([
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--partitions',
      '2',
      '--log-level',
      'warn',
    ]);
    let kafka = new Kafka({ brokers: [`127.0.0.1:${proc.port}`], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'crash-offsets',
      acks: -1,
      messages: Array.from({ length: 100 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
    });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: 'g-crash', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'crash-offsets', fromBeginning: true });
    let consumed = 0;
    await consumer.run({ eachMessage: async () => void consumed++ });
    const admin = kafka.admin();
    await admin.connect();
    const committedSum = async (a: typeof admin): Promise<number> => {
      const [t] = await a.fetchOffsets({ groupId: 'g-crash', topics: ['crash-offsets'] });
      return t.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
    };
    await eventually(
      'all 100 committed',
      async () => consumed >= 100 && (await committedSum(admin)) === 100,
    );
    // Clients leave first so they do not spin on a dead broker; the broker itself still dies
    // without any chance to flush or close its offset log.
    await consumer.disconnect();
    await admin.disconnect();
    proc.child.kill('SIGKILL');
    await waitExit(proc.child);

    proc = await spawnBrokerProcess(['--port', '0', '--data-dir', dataDir, '--log-level', 'warn']);
    kafka = new Kafka({ brokers: [`127.0.0.1:${proc.port}`], logLevel: logLevel.NOTHING });
    const admin2 = kafka.admin();
    await admin2.connect();
    expect(await committedSum(admin2)).toBe(100);
    await admin2.disconnect();
  });
});

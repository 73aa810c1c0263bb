import { Kafka, logLevel } from 'kafkajs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startEmbeddedBroker } from './embedded-broker';
import { makeTempDir, removeTempDirs } from './test/temp-dir';

describe('startEmbeddedBroker lifecycle', () => {
  afterAll(() => removeTempDirs());

  it('refuses a data dir another live broker owns, and frees it on close', async () => {
    const dataDir = makeTempDir();
    const first = await startEmbeddedBroker({ dataDir });
    await expect(startEmbeddedBroker({ dataDir })).rejects.toThrow(/in use/);
    await first.close();
    const second = await startEmbeddedBroker({ dataDir });
    expect(second.port).toBeGreaterThan(0);
    await second.close();
  });

  it('takes over a lock left by a dead process', async () => {
    const dataDir = makeTempDir();
    fs.writeFileSync(path.join(dataDir, 'broker.lock'), '999999999');
    const b = await startEmbeddedBroker({ dataDir });
    await b.close();
  });

  it('rolls back cleanly when the port is taken', async () => {
    const dataDir = makeTempDir();
    const holder = await startEmbeddedBroker({ dataDir: makeTempDir(), autoCreateTopics: true });
    await expect(startEmbeddedBroker({ dataDir, port: holder.port })).rejects.toThrow(/EADDRINUSE/);
    expect(fs.existsSync(path.join(dataDir, 'broker.lock'))).toBe(false);
    await holder.close();
  });

  it('close() is idempotent', async () => {
    const b = await startEmbeddedBroker({ dataDir: makeTempDir(), autoCreateTopics: true });
    await Promise.all([b.close(), b.close()]);
    await b.close();
  });
});

describe('topic auto-creation', () => {
  afterAll(() => removeTempDirs());

  it('is off by default: a client cannot create a topic by producing to it; explicit creation works', async () => {
    const broker = await startEmbeddedBroker({ dataDir: makeTempDir() });
    const kafka = new Kafka({
      brokers: broker.brokers,
      clientId: 'auto-create-test',
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });
    const producer = kafka.producer();
    const admin = kafka.admin();
    try {
      await producer.connect();
      await admin.connect();
      await expect(
        producer.send({ topic: 'typo-topic', messages: [{ value: 'x' }] }),
      ).rejects.toThrow();
      expect(await admin.listTopics()).not.toContain('typo-topic');
      await admin.createTopics({ topics: [{ topic: 'made-on-purpose', numPartitions: 1 }] });
      await producer.send({ topic: 'made-on-purpose', messages: [{ value: 'x' }] });
      expect(await admin.listTopics()).toContain('made-on-purpose');
    } finally {
      await producer.disconnect();
      await admin.disconnect();
      await broker.close();
    }
  });
});

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
    const holder = await startEmbeddedBroker({ dataDir: makeTempDir() });
    await expect(startEmbeddedBroker({ dataDir, port: holder.port })).rejects.toThrow(/EADDRINUSE/);
    expect(fs.existsSync(path.join(dataDir, 'broker.lock'))).toBe(false);
    await holder.close();
  });

  it('close() is idempotent', async () => {
    const b = await startEmbeddedBroker({ dataDir: makeTempDir() });
    await Promise.all([b.close(), b.close()]);
    await b.close();
  });
});

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Running, and not a zombie waiting for whoever inherited it to reap it. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

const SCRIPT = `
const { startRedisServer, OrphanWatchdog } = require(${JSON.stringify(join(__dirname, 'index.ts'))});
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'agentmon-orphan-'));
  const redis = await startRedisServer(dir, new OrphanWatchdog(dir));
  process.stdout.write(JSON.stringify({ pid: redis.process.pid }) + '\\n');
  setInterval(() => undefined, 1000);
})();
`;

describe('launcher orphan watchdog', () => {
  it('kills the servers of a runner that was SIGKILLed without cleaning up', async () => {
    const runner = spawn(
      process.execPath,
      ['-r', join(__dirname, '../../../tools/register.js'), '-e', SCRIPT],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const redisPid = await new Promise<number>((resolve, reject) => {
      runner.stdout.on('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString()).pid));
      runner.once('exit', () => reject(new Error('runner exited before starting redis')));
    });
    expect(alive(redisPid)).toBe(true);
    runner.kill('SIGKILL');
    const deadline = Date.now() + 10000;
    while (alive(redisPid) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(alive(redisPid)).toBe(false);
  });
});

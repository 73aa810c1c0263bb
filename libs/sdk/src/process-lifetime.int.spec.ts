import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeGateway } from './testing/fake-gateway';

const repoRoot = join(__dirname, '..', '..', '..');

/** Runs a TypeScript snippet in a fresh node process, as an agent script would run. */
function runAgentScript(source: string): Promise<{ stdout: string; elapsedMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'agentmon-sdk-'));
  const file = join(dir, 'agent.ts');
  writeFileSync(file, source);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['-r', join(repoRoot, 'tools', 'register.js'), file],
      { cwd: repoRoot, timeout: 20_000 },
      (error, stdout, stderr) => {
        rmSync(dir, { recursive: true, force: true });
        if (error) reject(new Error(`${error.message}\n${stderr}`));
        else resolve({ stdout, elapsedMs: Date.now() - started });
      },
    );
  });
}

// The SDK must neither keep an agent's process alive nor let it exit mid-shutdown.
describe('process lifetime', () => {
  let gateway: FakeGateway;

  beforeEach(async () => {
    gateway = await new FakeGateway('k').start();
  });

  afterEach(() => gateway.close());

  it('a pending background retry does not keep the process alive', async () => {
    gateway.script({ status: 503 });
    const { stdout, elapsedMs } = await runAgentScript(`
      import { AgentMonClient } from '@agentmon/sdk';
      const agentmon = new AgentMonClient({
        endpoint: '${gateway.url}', apiKey: 'k', flushIntervalMs: 10,
        initialBackoffMs: 60_000, maxBackoffMs: 60_000,
      });
      agentmon.startTrace();
      setTimeout(() => console.log(JSON.stringify(agentmon.stats())), 300);
    `);
    expect(JSON.parse(stdout)).toMatchObject({ retries: 1, sent: 0 });
    // The 60 s backoff was pending: only an unref'd timer lets the script end well before it.
    expect(elapsedMs).toBeLessThan(15_000);
    expect(gateway.requests).toHaveLength(1);
  });

  it('an awaited shutdown keeps the process alive through its retries', async () => {
    gateway.script({ status: 503 });
    const { stdout } = await runAgentScript(`
      import { AgentMonClient } from '@agentmon/sdk';
      const agentmon = new AgentMonClient({
        endpoint: '${gateway.url}', apiKey: 'k', initialBackoffMs: 400, maxBackoffMs: 400,
      });
      agentmon.startTrace().end({ completed: true });
      void agentmon.shutdown().then(() => console.log(JSON.stringify(agentmon.stats())));
    `);
    expect(JSON.parse(stdout)).toEqual({
      sent: 2,
      dropped: 0,
      rejected: 0,
      retries: 1,
      buffered: 0,
    });
    expect(gateway.acceptedEvents().map((e) => e.type)).toEqual(['trace_start', 'trace_end']);
  });
});

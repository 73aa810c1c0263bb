import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderClickHouseConfig, renderClickHouseUsers } from './clickhouse-config';
import { freePort } from './free-port';
import { ManagedProcess } from './managed-process';
import { OrphanWatchdog } from './orphan-watchdog';
import type { StartedService } from './redis-server';
import { GiveUpWaiting, waitFor } from './wait-for';

/** Debian ships `clickhouse-server` (18.16); current releases ship one `clickhouse` binary. */
function serverCommand(): { command: string; args: string[] } {
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/bin']);
  const has = (bin: string) => dirs.some((dir) => existsSync(join(dir, bin)));
  if (has('clickhouse-server')) return { command: 'clickhouse-server', args: [] };
  if (has('clickhouse')) return { command: 'clickhouse', args: ['server'] };
  throw new Error('clickhouse-server is not installed; run `npm run setup`');
}

async function answersPing(url: string): Promise<boolean> {
  const response = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) });
  return response.ok;
}

export async function startClickHouseServer(
  runDir: string,
  watchdog: OrphanWatchdog,
): Promise<StartedService> {
  const dir = join(runDir, 'clickhouse');
  for (const sub of ['data', 'tmp', 'user_files', 'format_schemas', 'log'])
    mkdirSync(join(dir, sub), { recursive: true });
  const [httpPort, tcpPort] = [await freePort(), await freePort()];
  writeFileSync(join(dir, 'config.xml'), renderClickHouseConfig(dir, httpPort, tcpPort));
  writeFileSync(join(dir, 'users.xml'), renderClickHouseUsers());
  const { command, args } = serverCommand();
  const child = ManagedProcess.start({
    name: 'clickhouse',
    command,
    args: [...args, `--config-file=${join(dir, 'config.xml')}`],
    logFile: join(runDir, 'clickhouse.log'),
    watchdog,
  });
  const url = `http://127.0.0.1:${httpPort}`;
  try {
    await waitFor(
      'clickhouse-server',
      async () => {
        if (!child.running) throw new GiveUpWaiting(`exited early:\n${child.logTail()}`);
        return answersPing(url);
      },
      { timeoutMs: 60000 },
    );
  } catch (error) {
    await child.stop();
    throw error;
  }
  return { url, process: child };
}

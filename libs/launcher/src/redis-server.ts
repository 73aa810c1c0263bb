import { createConnection } from 'node:net';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './free-port';
import { ManagedProcess } from './managed-process';
import { OrphanWatchdog } from './orphan-watchdog';
import { GiveUpWaiting, waitFor } from './wait-for';

export interface StartedService {
  url: string;
  process: ManagedProcess;
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** redis-server with an append-only file fsynced every second, like a production default. */
export async function startRedisServer(
  runDir: string,
  watchdog: OrphanWatchdog,
): Promise<StartedService> {
  const dir = join(runDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const process = ManagedProcess.start({
    name: 'redis',
    command: 'redis-server',
    args: [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'yes',
      '--protected-mode',
      'yes',
    ],
    logFile: join(runDir, 'redis.log'),
    watchdog,
  });
  try {
    await waitFor('redis-server', async () => {
      if (!process.running) throw new GiveUpWaiting(`exited early:\n${process.logTail()}`);
      return answersPing(port);
    });
  } catch (error) {
    await process.stop();
    throw error;
  }
  return { url: `redis://127.0.0.1:${port}`, process };
}

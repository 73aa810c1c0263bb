import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';

const repoRoot = path.join(__dirname, '..', '..', '..', '..');

export interface BrokerProcess {
  child: ChildProcess;
  port: number;
  stderr: () => string;
}

/** Runs broker-main.ts as a separate process and waits for its "listening" line. */
export function spawnBrokerProcess(args: string[], timeoutMs = 30000): Promise<BrokerProcess> {
  const child = spawn(
    process.execPath,
    [
      '-r',
      './tools/register.js',
      'libs/embedded-kafka/src/broker-main.ts',
      // These suites test the broker as Kafka clients see it, topic auto-creation included.
      '--auto-create-topics',
      ...args,
    ],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-20000);
  });
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`broker did not start: ${err}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`broker exited with ${code}: ${err}`));
    });
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const msg = JSON.parse(line) as { event?: string; port?: number };
        if (msg.event === 'listening' && msg.port) {
          clearTimeout(t);
          child.removeAllListeners('exit');
          resolve({ child, port: msg.port, stderr: () => err });
        }
      } catch {
        // not our line
      }
    });
  });
}

export function waitExit(child: ChildProcess, timeoutMs = 15000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('child did not exit')), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(t);
      resolve(code);
    });
  });
}

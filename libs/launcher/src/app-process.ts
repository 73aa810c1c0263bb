import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { terminateChild } from './terminate-child';
import { GiveUpWaiting, waitFor } from './wait-for';

const ROOT = join(__dirname, '..', '..', '..');

/**
 * V8 flags every AgentMon process runs with. A larger young generation lets the many short-lived
 * objects of a request or batch die young instead of being promoted (measured +15% gateway
 * spans/s); deploy/ and docker-compose.yml pass the same flag.
 */
export const NODE_FLAGS = ['--max-semi-space-size=64'];

/** One of our processes (an app, the broker, a bench helper), with its JSON log lines collected. */
export class AppProcess {
  readonly lines: Record<string, unknown>[] = [];
  readonly stderr: string[] = [];
  private readonly exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    forward?: (line: string) => void,
  ) {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const part of parts) {
        forward?.(part);
        try {
          this.lines.push(JSON.parse(part));
        } catch {
          this.lines.push({ raw: part });
        }
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr.push(chunk.toString());
      forward?.(chunk.toString().trimEnd());
    });
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static start(
    app: string,
    env: Record<string, string>,
    forward?: (line: string) => void,
  ): AppProcess {
    return AppProcess.script(`apps/${app}/src/main.ts`, [], env, forward);
  }

  /** Any TypeScript entry point of the repo, run through swc like the apps. */
  static script(
    path: string,
    args: string[],
    env: Record<string, string>,
    forward?: (line: string) => void,
  ): AppProcess {
    // AGENTMON_PROFILE_DIR: every child writes a V8 CPU profile there on exit (benchmark analysis).
    const dir = process.env.AGENTMON_PROFILE_DIR;
    const profile = dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
    const child = spawn(
      process.execPath,
      [...NODE_FLAGS, ...profile, '-r', join(ROOT, 'tools/register.js'), join(ROOT, path), ...args],
      {
        cwd: ROOT,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    return new AppProcess(child, forward);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** Waits for the "listening" log line and returns the URL the app bound. */
  async url(timeoutMs = 30000): Promise<string> {
    const line = await this.waitForLine((l) => typeof l.url === 'string', timeoutMs);
    return line.url as string;
  }

  waitForLine(
    predicate: (line: Record<string, unknown>) => boolean,
    timeoutMs = 30000,
  ): Promise<Record<string, unknown>> {
    return waitFor(
      'the expected log line',
      async () => {
        const found = this.lines.find(predicate);
        if (found) return found;
        if (this.child.exitCode !== null) {
          throw new GiveUpWaiting(
            `process exited early: ${this.stderr.join('')}${JSON.stringify(this.lines.slice(-5))}`,
          );
        }
        return undefined;
      },
      { timeoutMs, intervalMs: 50 },
    );
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL if the process has not drained within `graceMs`. */
  stop(graceMs: number): Promise<number | null> {
    return terminateChild(this.child, this.exited, graceMs);
  }

  exitCode(): Promise<number | null> {
    return this.exited;
  }
}

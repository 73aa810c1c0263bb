import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { ListeningMessage } from '@agentmon/observability';
import { terminateChild } from './terminate-child';
import { GiveUpWaiting, waitFor } from './wait-for';

const ROOT = join(__dirname, '..', '..', '..');

/** What a child sends over IPC once it listens (libs/observability `announceListening`). */
const LISTENING: ListeningMessage['type'] = 'agentmon.listening';

function isListeningMessage(message: unknown): message is ListeningMessage {
  const candidate = message as Partial<ListeningMessage> | null;
  return candidate?.type === LISTENING && typeof candidate.url === 'string';
}

function streamEnd(stream: NodeJS.ReadableStream | null): Promise<void> {
  if (stream === null || (stream as { readableEnded?: boolean }).readableEnded)
    return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('end', () => resolve());
    stream.once('close', () => resolve());
  });
}

/**
 * V8 flags every AgentMon process runs with. A larger young generation lets the many short-lived
 * objects of a request or batch die young instead of being promoted (measured +15% gateway
 * spans/s); deploy/ and docker-compose.yml pass the same flag.
 */
export const NODE_FLAGS = ['--max-semi-space-size=64'];

export interface AppProcessOptions {
  /**
   * Own process group: a terminal's Ctrl-C reaches only the launcher, which then stops its apps
   * in pipeline order. Whoever sets this must guard the pid (OrphanWatchdog) against its own death.
   */
  detached?: boolean;
}

/**
 * One of our processes (an app, the broker, a bench helper), with its JSON log lines collected.
 * It runs with an IPC channel over which it reports the address it bound, so finding it never
 * depends on the log level.
 */
export class AppProcess {
  readonly lines: Record<string, unknown>[] = [];
  readonly stderr: string[] = [];
  private readonly exited: Promise<number | null>;
  private listeningUrl: string | undefined;

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
    child.on('message', (message: unknown) => {
      if (isListeningMessage(message)) this.listeningUrl = message.url;
    });
    // Node: "when 'exit' is triggered, child process stdio streams might still be open" — the
    // last lines (a service's 'shut down') may not have been read yet. The exit counts once both
    // pipes have ended, or after a moment if a grandchild holds them open.
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        const drained = Promise.all([child.stdout, child.stderr].map(streamEnd));
        const cap = new Promise((done) => setTimeout(done, 2000).unref());
        void Promise.race([drained, cap]).then(() => resolve(code));
      }),
    );
  }

  static start(
    app: string,
    env: Record<string, string>,
    forward?: (line: string) => void,
    options: AppProcessOptions = {},
  ): AppProcess {
    return AppProcess.script(`apps/${app}/src/main.ts`, [], env, forward, options);
  }

  /** Any TypeScript entry point of the repo, run through swc like the apps. */
  static script(
    path: string,
    args: string[],
    env: Record<string, string>,
    forward?: (line: string) => void,
    options: AppProcessOptions = {},
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
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        detached: options.detached ?? false,
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

  /** The signal that ended the process, once it has exited by one. */
  get signal(): NodeJS.Signals | null {
    return this.child.signalCode;
  }

  /** The URL the process reported over IPC once listening, if it has yet. */
  get reportedUrl(): string | undefined {
    return this.listeningUrl;
  }

  /** Waits until the process reports (over IPC) the URL it bound, at any log level. */
  url(timeoutMs = 60000): Promise<string> {
    return waitFor(
      'the process to report its address',
      async () => {
        if (this.listeningUrl) return this.listeningUrl;
        this.giveUpIfExited();
        return undefined;
      },
      { timeoutMs, intervalMs: 50 },
    );
  }

  /** Waits for the address, then until `/readyz` answers 200; returns the URL. */
  async ready(timeoutMs = 60000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    const url = await this.url(timeoutMs);
    return waitFor(
      'readiness',
      async () => {
        this.giveUpIfExited();
        const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(3000) });
        await response.body?.cancel();
        return response.ok ? url : undefined;
      },
      { timeoutMs: Math.max(0, deadline - Date.now()), intervalMs: 200 },
    );
  }

  private giveUpIfExited(): void {
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      throw new GiveUpWaiting(
        `process exited early: ${this.stderr.join('')}${JSON.stringify(this.lines.slice(-5))}`,
      );
    }
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

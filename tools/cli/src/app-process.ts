import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

/** One of our apps as a real child process, with its JSON log lines collected. */
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
    const child = spawn(
      process.execPath,
      ['-r', join(ROOT, 'tools/register.js'), join(ROOT, `apps/${app}/src/main.ts`)],
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
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const listening = this.lines.find((line) => typeof line.url === 'string');
      if (listening) return listening.url as string;
      if (this.child.exitCode !== null)
        throw new Error(`app exited early: ${this.stderr.join('')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('app did not start listening in time');
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL if the app has not drained within `graceMs`. */
  async stop(graceMs: number): Promise<number | null> {
    if (!this.running) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  exitCode(): Promise<number | null> {
    return this.exited;
  }
}

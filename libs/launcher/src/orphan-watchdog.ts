import { ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A detached shell that outlives us only long enough to kill our servers if we die without
 * stopping them (a SIGKILLed test runner must not leave redis/clickhouse behind).
 * It polls our pid once a second and reads the pids to kill from a file we keep current.
 */
export class OrphanWatchdog {
  private readonly pids = new Set<number>();
  private readonly pidFile: string;
  private readonly shell: ChildProcess;

  constructor(runDir: string) {
    this.pidFile = join(runDir, 'guarded.pids');
    this.persist();
    const script = [
      `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done`,
      `for p in $(cat '${this.pidFile}' 2>/dev/null); do kill -9 "$p" 2>/dev/null; done`,
    ].join('; ');
    this.shell = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
    this.shell.unref();
  }

  guard(pid: number): void {
    this.pids.add(pid);
    this.persist();
  }

  release(pid: number): void {
    this.pids.delete(pid);
    this.persist();
  }

  close(): void {
    if (this.shell.exitCode === null) this.shell.kill('SIGKILL');
  }

  private persist(): void {
    writeFileSync(this.pidFile, [...this.pids].join('\n'));
  }
}

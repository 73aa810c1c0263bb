import { ChildProcess, spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { OrphanWatchdog } from './orphan-watchdog';
import { terminateChild } from './terminate-child';

export interface ManagedProcessOptions {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  watchdog: OrphanWatchdog;
}

/** A server child process whose output goes to a log file and which is stopped by pid. */
export class ManagedProcess {
  private exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    private readonly logFile: string,
    private readonly watchdog: OrphanWatchdog,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static start(options: ManagedProcessOptions): ManagedProcess {
    const log = openSync(options.logFile, 'a');
    try {
      // Own process group: a terminal's Ctrl-C must not stop Redis/ClickHouse under apps still
      // draining; we stop them last, and the watchdog does if we die.
      const child = spawn(options.command, options.args, {
        stdio: ['ignore', log, log],
        detached: true,
      });
      if (child.pid === undefined) throw new Error(`could not start ${options.command}`);
      options.watchdog.guard(child.pid);
      return new ManagedProcess(options.name, child, options.logFile, options.watchdog);
    } finally {
      closeSync(log);
    }
  }

  get pid(): number {
    return this.child.pid as number;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The tail of the log, for error messages when the server fails to come up. */
  logTail(lines = 20): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  async stop(graceMs = 10000): Promise<void> {
    await terminateChild(this.child, this.exited, graceMs);
    this.watchdog.release(this.pid);
  }
}

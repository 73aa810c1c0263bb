import { Command } from 'commander';
import { loadConfig } from '@agentmon/config';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { StackStatus } from './app-supervisor';

function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** What `npm start` last published about its apps; exit code 0 only when every app is ready. */
export function createStatusCommand(): Command {
  return new Command('status')
    .description('show the apps of a running `agentmon start` (pid, url, restarts, ready)')
    .action(() => {
      const file = join(resolve(loadConfig().AGENTMON_DATA_DIR), 'stack.json');
      let status: StackStatus;
      try {
        status = JSON.parse(readFileSync(file, 'utf8')) as StackStatus;
      } catch {
        process.stderr.write(`no stack state at ${file}: is \`agentmon start\` running?\n`);
        process.exitCode = 1;
        return;
      }
      // A supervisor killed without stopping leaves a stale file: trust only live pids.
      for (const app of status.apps) {
        if (app.state !== 'stopped' && !alive(app.pid))
          Object.assign(app, { state: 'gone', ready: false });
      }
      status.ready = status.apps.length > 0 && status.apps.every((app) => app.ready);
      process.stdout.write(
        `stack ${status.ready ? 'ready' : 'NOT ready'} (as of ${status.updatedAt})\n`,
      );
      for (const app of status.apps) {
        process.stdout.write(
          `${app.app.padEnd(12)} ${app.state.padEnd(10)} ${(app.ready ? 'ready' : 'not ready').padEnd(9)} pid ${String(app.pid ?? '-').padEnd(8)} restarts ${String(app.restarts).padEnd(3)} ${app.url ?? ''}\n`,
        );
      }
      process.exitCode = status.ready ? 0 : 1;
    });
}

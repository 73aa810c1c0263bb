import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * One broker per data directory: two processes appending to the same segments would interleave
 * batches. The lock file holds the owner's pid; a lock left by a dead process (SIGKILL) is taken over.
 */
export class DataDirLock {
  private constructor(private readonly file: string) {}

  static acquire(dataDir: string): DataDirLock {
    const file = path.join(dataDir, 'broker.lock');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
        return new DataDirLock(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const owner = Number(fs.readFileSync(file, 'utf8'));
        if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
          throw new Error(`data dir ${dataDir} is in use by process ${owner}`);
        }
        fs.rmSync(file, { force: true });
      }
    }
    throw new Error(`could not lock data dir ${dataDir}`);
  }

  release(): void {
    fs.rmSync(this.file, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

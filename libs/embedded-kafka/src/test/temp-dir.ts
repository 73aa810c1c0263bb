import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const made: string[] = [];

export function makeTempDir(prefix = 'ek-test-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
}

export function removeTempDirs(): void {
  while (made.length > 0) fs.rmSync(made.pop() as string, { recursive: true, force: true });
}

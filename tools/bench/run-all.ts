// npm run bench — every benchmark one after another (never in parallel: they measure the
// machine), each figure with its unit into bench/results.json, and the README's table rewritten
// from it. `npm run bench -- --table-only` rewrites the table from an existing results.json.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import {
  BENCHES,
  benchTable,
  parseBenchOutput,
  replaceBenchTable,
  withUnits,
  type BenchResults,
} from './results';

const ROOT = join(__dirname, '..', '..');
const RESULTS = join(ROOT, 'bench', 'results.json');
const README = join(ROOT, 'README.md');
const README_ANCHOR = '## Benchmarks';

function runBench(name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', `bench:${name}`], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      process.stderr.write(chunk);
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`bench:${name} exited with ${code}`)),
    );
  });
}

function writeTable(results: BenchResults): void {
  const readme = readFileSync(README, 'utf8');
  writeFileSync(README, replaceBenchTable(readme, benchTable(results), README_ANCHOR));
}

async function main(): Promise<void> {
  if (process.argv.includes('--table-only')) {
    const stored = JSON.parse(readFileSync(RESULTS, 'utf8')) as BenchResults;
    for (const bench of Object.values(stored.benches)) {
      const values = Object.fromEntries(
        Object.entries(bench.figures).map(([key, figure]) => [key, figure.value]),
      );
      bench.figures = withUnits(values);
    }
    writeFileSync(RESULTS, `${JSON.stringify(stored, null, 2)}\n`);
    writeTable(stored);
    return;
  }
  const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const names = only.length > 0 ? BENCHES.filter((b) => only.includes(b)) : [...BENCHES];
  // A subset updates the existing results (the other benches keep their last figures).
  const previous =
    only.length > 0 && existsSync(RESULTS)
      ? (JSON.parse(readFileSync(RESULTS, 'utf8')) as BenchResults).benches
      : {};
  const results: BenchResults = {
    generated_at: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpu_model: cpus()[0]?.model.trim() ?? 'unknown',
      node: process.versions.node,
      platform: `${process.platform}-${process.arch}`,
    },
    benches: { ...previous },
  };
  const failed: string[] = [];
  for (const name of names) {
    process.stderr.write(`\n=== bench:${name} ===\n`);
    const started = Date.now();
    try {
      const figures = parseBenchOutput(name, await runBench(name));
      results.benches[name] = {
        figures: withUnits(figures),
        duration_s: Math.round((Date.now() - started) / 1000),
      };
    } catch (error) {
      // One failing bench does not cost the others' figures; it is recorded and fails the run.
      failed.push(name);
      results.benches[name] = {
        figures: {},
        duration_s: Math.round((Date.now() - started) / 1000),
        error: error instanceof Error ? error.message : String(error),
      };
    }
    // Written after each bench, so a later failure keeps what was measured.
    mkdirSync(join(ROOT, 'bench'), { recursive: true });
    writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  }
  writeTable(results);
  process.stdout.write(`${JSON.stringify({ bench: 'all', results: RESULTS, failed })}\n`);
  if (failed.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

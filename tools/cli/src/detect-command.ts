import { readFileSync } from 'node:fs';
import { DetectorRulesError, parseDetectorRules } from '@agentmon/detector-domain';
import Table from 'cli-table3';
import { Command, InvalidArgumentError } from 'commander';
import { parseReplay, replay, ReplayInputError, type ReplayFinding } from './detect-replay';

export interface DetectReplayOptions {
  replay: string;
  warmup?: number;
  minSamples?: number;
  rules?: string;
  format?: 'json' | 'table';
}

export interface CliOutput {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Exit code for bad input (replay lines, rules file, flags). */
export const EXIT_BAD_INPUT = 2;

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ReplayInputError(0, '', `cannot read ${what} ${path}: ${(error as Error).message}`);
  }
}

/** The command's body, callable from tests: returns the exit code. */
export function runDetectReplay(options: DetectReplayOptions, out: CliOutput): number {
  try {
    const rules = options.rules
      ? parseDetectorRules(readText(options.rules, 'rules file'), options.rules)
      : undefined;
    const rows = parseReplay(readText(options.replay, 'replay file'));
    const findings = replay(rows, {
      settings: { warmupWindows: options.warmup, minSamples: options.minSamples },
      rules,
    });
    out.stdout(options.format === 'table' ? formatTable(findings) : formatJsonLines(findings));
    return 0;
  } catch (error) {
    if (error instanceof ReplayInputError) {
      out.stderr(
        `agentmon detect: ${error.line > 0 ? `${options.replay}: ` : ''}${error.message}\n`,
      );
      return EXIT_BAD_INPUT;
    }
    if (error instanceof DetectorRulesError) {
      out.stderr(`agentmon detect: ${error.message}\n`);
      return EXIT_BAD_INPUT;
    }
    throw error;
  }
}

export function formatJsonLines(findings: readonly ReplayFinding[]): string {
  return findings
    .map(
      (f) =>
        `${JSON.stringify({ ts: f.ts, slice: f.slice, metric: f.metric, severity: f.severity })}\n`,
    )
    .join('');
}

export function formatTable(findings: readonly ReplayFinding[]): string {
  const table = new Table({
    head: ['ts', 'slice', 'metric', 'severity'],
    style: { head: [], border: [] },
  });
  for (const f of findings) table.push([f.ts, f.slice, f.metric, f.severity]);
  return `${table.toString()}\n${findings.length} finding(s)\n`;
}

function positiveInt(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) {
      throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}`);
    }
    return n;
  };
}

export function createDetectCommand(): Command {
  return (
    new Command('detect')
      .description(
        'backtest the detector offline: replay JSON-lines metric points through the live engine',
      )
      .requiredOption('--replay <file>', 'JSON lines {ts, slice, <metrics>…, trace_count}')
      .option(
        '--warmup <k>',
        'warm-up windows for the baseline (default 5)',
        positiveInt('--warmup', 1),
      )
      .option(
        '--min-samples <n>',
        'fewest traces for a window to count (default 30)',
        positiveInt('--min-samples', 0),
      )
      .option('--rules <file>', 'detector rules file (JSON or YAML)')
      .option(
        '--format <format>',
        'json (JSON lines) or table',
        (v: string) => {
          if (v !== 'json' && v !== 'table')
            throw new InvalidArgumentError('must be json or table');
          return v;
        },
        'json',
      )
      // Usage errors (unknown flag, bad --warmup) are bad input too: exit 2, like bad lines.
      .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : EXIT_BAD_INPUT))
      .action((options: DetectReplayOptions) => {
        const code = runDetectReplay(options, {
          stdout: (t) => process.stdout.write(t),
          stderr: (t) => process.stderr.write(t),
        });
        if (code !== 0) process.exitCode = code;
      })
  );
}

import { resolveTimeRange, TimeArgumentError, type TimeRange } from '@agentmon/analytics-queries';
import Table from 'cli-table3';
import { Command, InvalidArgumentError, Option } from 'commander';

export const pct = (x: number | null | undefined): string =>
  x === null || x === undefined ? '-' : `${(x * 100).toFixed(1)}%`;
export const ms = (x: number | null | undefined): string =>
  x === null || x === undefined
    ? '-'
    : x >= 10_000
      ? `${(x / 1000).toFixed(1)} s`
      : `${Math.round(x)} ms`;
export const usd = (x: number | null | undefined): string =>
  x === null || x === undefined ? '-' : `$${x < 1 ? x.toFixed(4) : x.toFixed(2)}`;
export const num = (x: number | null | undefined, digits = 1): string =>
  x === null || x === undefined ? '-' : Number.isInteger(x) ? String(x) : x.toFixed(digits);
export const iso = (at: number): string => new Date(at).toISOString();

/** "72.0% (58.1%–82.5%)": a share with its 95 % interval, so 3 ratings do not read as 100 %. */
export const shareWithInterval = (
  share: number | null,
  low: number | null,
  high: number | null,
): string => (share === null ? '-' : `${pct(share)} (${pct(low)}–${pct(high)})`);

/** The implicit signals of a period, each as a share of its traces. */
export const implicitSignals = (m: {
  accepted_rate: number | null;
  corrected_rate: number | null;
  abandoned_rate: number | null;
  follow_up_rate: number | null;
  copied_rate: number | null;
}): string =>
  `accepted ${pct(m.accepted_rate)}, corrected ${pct(m.corrected_rate)}, abandoned ${pct(m.abandoned_rate)}, follow-up ${pct(m.follow_up_rate)}, copied ${pct(m.copied_rate)}`;

/**
 * The caveat under every view of explicit ratings when few traces carry one: ratings come from
 * 1–5 % of sessions and not representatively (DESIGN), so the implicit signals say more.
 */
export function ratingCoverageCaveat(
  coverage: number | null,
  minCoverage: number,
): string | undefined {
  if (coverage === null || coverage >= minCoverage) return undefined;
  return `ratings cover ${pct(coverage)} of sessions: read the implicit signals`;
}

/** A plain cli-table3 table (no colours, so output pipes cleanly). */
export function table(head: string[], rows: (string | number)[][]): string {
  // No rule between body rows: a 20-row table stays 20 lines, not 40.
  const t = new Table({
    head,
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const row of rows) t.push(row.map(String));
  const [top, header, ...body] = t.toString().split('\n');
  if (top === undefined || header === undefined || body.length === 0) return t.toString();
  // ...but keep the rule under the (one-line) header.
  const rule = top.replace('┌', '├').replace(/┬/g, '┼').replace('┐', '┤');
  return [top, header, rule, ...body].join('\n');
}

export function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1)
      throw new InvalidArgumentError(`${name} must be a positive integer`);
    return n;
  };
}

/** The options every query command shares: --project, --since, --until. */
export function withPeriodOptions(command: Command, defaultSince: string): Command {
  return command
    .option('--project <id>', 'only this project (default: every project)')
    .option(
      '--since <when>',
      `start: a duration back from now (90m, 24h, 7d) or an ISO time`,
      defaultSince,
    )
    .option('--until <when>', 'end: a duration back from now or an ISO time (default: now)');
}

export function jsonOption(): Option {
  return new Option('--json', 'print JSON instead of tables');
}

/** --since/--until → the period, aligned to the aggregator's windows; bad values name the option. */
export function periodFrom(
  options: { since?: string; until?: string },
  now: number,
  defaultSince: string,
  alignMs: number,
): TimeRange {
  try {
    return resolveTimeRange(options, now, { since: defaultSince, alignMs });
  } catch (error) {
    if (error instanceof TimeArgumentError) throw new InvalidArgumentError(error.message);
    throw error;
  }
}

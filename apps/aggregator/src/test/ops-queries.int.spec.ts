import { toTraceSummaryRow } from '@agentmon/clickhouse';
import type { TraceSummary } from '@agentmon/contracts';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AggregatorHarness, variedTraces } from './aggregator-harness';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The SQL blocks of docs/ops-queries.md, by name: the test runs exactly what is documented. */
function documentedQueries(): Map<string, string> {
  const doc = readFileSync(join(__dirname, '../../../../docs/ops-queries.md'), 'utf8');
  const queries = new Map<string, string>();
  for (const match of doc.matchAll(/<!-- query: (\w+) -->\s*```sql\n([\s\S]*?)```/g)) {
    queries.set(match[1]!, match[2]!);
  }
  return queries;
}

/** DDSketch's rank rule on the exact sorted values. */
function exactQuantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = out.get(k);
    if (group === undefined) out.set(k, [item]);
    else group.push(item);
  }
  return out;
}

function mondayOf(ms: number): string {
  const day = Math.floor(ms / DAY);
  // 1970-01-01 was a Thursday: Monday-based weekday = (day + 3) % 7.
  const monday = (day - ((day + 3) % 7)) * DAY;
  return new Date(monday).toISOString().slice(0, 10);
}

describe('docs/ops-queries.md against ClickHouse', () => {
  const harness = new AggregatorHarness();
  const queries = documentedQueries();
  const project = `p-${randomUUID()}`;
  // Two days, nine days ago: spans a week boundary often enough, and is a backfill.
  const from = Math.floor((Date.now() - 9 * DAY) / HOUR) * HOUR;
  const to = from + 2 * DAY;
  // Some traces rated negative or escalated: failures that are not strong completions.
  const sent: TraceSummary[] = variedTraces(project, 1500, from, 2 * DAY, 31).map((t, i) => {
    const negative = i % 17 === 0;
    const escalated = i % 41 === 0;
    return {
      ...t,
      rating: negative ? 'negative' : t.rating,
      escalated,
      strong_completion: t.strong_completion && !negative && !escalated,
    };
  });
  const run = <T>(name: string, params: Record<string, string | number>) =>
    harness.clickhouse.query<T>(queries.get(name)!, {
      db: harness.database,
      project,
      ...params,
    });

  beforeAll(async () => {
    await harness.setUp();
    await harness.clickhouse.insert('trace_summaries', sent.map(toTraceSummaryRow));
    const app = harness.start();
    try {
      await app.url();
      await harness.produceTraces(sent);
      await harness.waitForTraceCount(project, sent.length, 120000);
      for (const size of [3600, 86400]) {
        await harness.waitFor(`${size} s rollups`, async () => {
          const windows = (await harness.windows(project, size)).filter(
            (w) => w.slice.dimension === 'all',
          );
          return windows.reduce((s, w) => s + w.trace_count, 0) === sent.length ? true : undefined;
        });
      }
    } finally {
      await app.stop(15000);
    }
  }, 240_000);
  afterAll(() => harness.tearDown());

  it('documents the five queries', () => {
    expect([...queries.keys()].sort()).toEqual([
      'completion_gap_by_hour',
      'cost_per_success_by_week',
      'failure_list',
      'p95_by_task_type_and_hour',
      'slice_report',
    ]);
  });

  it('slice report: worst strong completion first, every number from the traces', async () => {
    const rows = await run<{
      slice_dimension: string;
      slice_value: string;
      traces: string;
      completion_rate: number;
      strong_completion_rate: number;
      error_rate: number;
      cost_avg_usd: number;
    }>('slice_report', { from_ms: from, to_ms: to, min_traces: 1 });
    const rates = rows.map((r) => r.strong_completion_rate);
    expect(rates).toEqual([...rates].sort((a, b) => a - b));
    for (const [dimension, valueOf] of [
      ['task_type', (t: TraceSummary) => t.task_type ?? 'unknown'],
      ['platform', (t: TraceSummary) => t.platform ?? 'unknown'],
    ] as const) {
      for (const [value, group] of groupBy(sent, valueOf)) {
        const row = rows.find((r) => r.slice_dimension === dimension && r.slice_value === value)!;
        const toolCalls = group.reduce((s, t) => s + t.tool_call_count, 0);
        expect(Number(row.traces)).toBe(group.length);
        expect(row.completion_rate).toBeCloseTo(
          group.filter((t) => t.completed).length / group.length,
          9,
        );
        expect(row.strong_completion_rate).toBeCloseTo(
          group.filter((t) => t.strong_completion).length / group.length,
          9,
        );
        expect(row.error_rate).toBeCloseTo(
          group.reduce((s, t) => s + t.tool_error_count, 0) / toolCalls,
          9,
        );
        expect(row.cost_avg_usd).toBeCloseTo(
          group.reduce((s, t) => s + t.cost_usd, 0) / group.length,
          9,
        );
      }
    }
  });

  it('failure list: every failed trace with its error types, newest first', async () => {
    const rows = await run<{ trace_id: string; error_types: string[] }>('failure_list', {
      from_ms: from,
      to_ms: to,
      limit: 10000,
    });
    const failed = sent
      .filter(
        (t) =>
          !t.completed ||
          t.error_count > 0 ||
          t.timed_out ||
          t.rating === 'negative' ||
          t.escalated,
      )
      .sort((a, b) => b.ended_at - a.ended_at || (a.trace_id < b.trace_id ? -1 : 1));
    expect(rows.map((r) => r.trace_id)).toEqual(failed.map((t) => t.trace_id));
    for (const [i, t] of failed.entries()) {
      const types = Object.entries(t.error_types)
        .filter(([, n]) => n > 0)
        .map(([type]) => type);
      expect(rows[i]!.error_types).toEqual(types);
    }
  });

  it('cost per successful task by week', async () => {
    const rows = await run<{
      week: string;
      traces: string;
      successes: string;
      cost_per_success_usd: number;
    }>('cost_per_success_by_week', {});
    const weeks = groupBy(sent, (t) => mondayOf(t.ended_at));
    expect(rows.map((r) => r.week)).toEqual([...weeks.keys()].sort());
    for (const row of rows) {
      const group = weeks.get(row.week)!;
      const successes = group.filter((t) => t.strong_completion).length;
      expect(Number(row.traces)).toBe(group.length);
      expect(Number(row.successes)).toBe(successes);
      expect(row.cost_per_success_usd).toBeCloseTo(
        group.reduce((s, t) => s + t.cost_usd, 0) / successes,
        9,
      );
    }
  });

  it('weak vs strong completion gap per hour', async () => {
    const rows = await run<{ hour_start_ms: string; traces: string; completion_gap: number }>(
      'completion_gap_by_hour',
      { from_ms: from, to_ms: to },
    );
    const hours = groupBy(sent, (t) => String(Math.floor(t.ended_at / HOUR) * HOUR));
    expect(rows.map((r) => String(r.hour_start_ms))).toEqual([...hours.keys()].sort());
    for (const row of rows) {
      const group = hours.get(String(row.hour_start_ms))!;
      expect(Number(row.traces)).toBe(group.length);
      expect(row.completion_gap).toBeCloseTo(
        (group.filter((t) => t.completed).length -
          group.filter((t) => t.strong_completion).length) /
          group.length,
        9,
      );
    }
  });

  it('p95 latency by task type and hour within 1 % of the exact quantile', async () => {
    const rows = await run<{
      task_type: string;
      hour_start_ms: string;
      traces: string;
      latency_p95_ms: number;
    }>('p95_by_task_type_and_hour', { from_ms: from, to_ms: to });
    const groups = groupBy(
      sent,
      (t) => `${t.task_type ?? 'unknown'}|${Math.floor(t.ended_at / HOUR) * HOUR}`,
    );
    expect(rows.length).toBe(groups.size);
    for (const row of rows) {
      const group = groups.get(`${row.task_type}|${row.hour_start_ms}`)!;
      expect(Number(row.traces)).toBe(group.length);
      const exact = exactQuantile(
        group.map((t) => t.duration_ms),
        0.95,
      );
      expect(Math.abs(row.latency_p95_ms - exact) / exact).toBeLessThanOrEqual(0.01);
    }
  });
});

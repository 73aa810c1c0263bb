import type { PartialWindow } from '@agentmon/aggregator-domain';
import { makeTraceSummary } from '@agentmon/testing';
import { summarizePartials } from './period-metrics';
import { storedWindowRows, variedSummaries } from './test/stored-windows';

const H = 3_600_000;
const D = 24 * H;
const T0 = Date.parse('2026-03-02T00:00:00Z');

function partialsOf(rows: Record<string, unknown>[], size: number, from: number, to: number) {
  return rows
    .filter(
      (r) =>
        r.window_size_s === size &&
        r.slice_dimension === 'all' &&
        (r.window_start_ms as number) >= from &&
        (r.window_start_ms as number) < to,
    )
    .map((r) => JSON.parse(r.partial_json as string) as PartialWindow);
}

const exactQuantile = (values: number[], q: number) =>
  [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))]!;

describe('summarizePartials', () => {
  const traces = variedSummaries('p1', 1200, T0, 2 * D, makeTraceSummary());
  const rows = storedWindowRows(traces);

  it.each([
    ['minute windows', () => partialsOf(rows, 60, T0, T0 + 2 * D)],
    ['hourly rollups', () => partialsOf(rows, 3600, T0, T0 + 2 * D)],
    ['daily rollups', () => partialsOf(rows, 86400, T0, T0 + 2 * D)],
    [
      'a mixed cover (minutes, hours, a day, hours)',
      () => [
        ...partialsOf(rows, 60, T0, T0 + H),
        ...partialsOf(rows, 3600, T0 + H, T0 + D),
        ...partialsOf(rows, 86400, T0 + D, T0 + 2 * D),
      ],
    ],
  ])('%s re-merge to the same sums and sketch quantiles as the traces', (_name, partials) => {
    const { overall, slices } = summarizePartials(partials(), { from: T0, to: T0 + 2 * D });
    const n = traces.length;
    const count = (f: (t: (typeof traces)[number]) => boolean) => traces.filter(f).length;
    const sum = (f: (t: (typeof traces)[number]) => number) => traces.reduce((s, t) => s + f(t), 0);
    expect(overall.trace_count).toBe(n);
    expect(overall.completion_rate).toBeCloseTo(count((t) => t.completed) / n, 12);
    expect(overall.strong_completion_rate).toBeCloseTo(count((t) => t.strong_completion) / n, 12);
    expect(overall.completion_gap).toBeCloseTo(
      (count((t) => t.completed) - count((t) => t.strong_completion)) / n,
      12,
    );
    expect(overall.error_rate).toBeCloseTo(
      sum((t) => t.tool_error_count) / sum((t) => t.tool_call_count),
      12,
    );
    expect(overall.cost_total_usd).toBeCloseTo(
      sum((t) => t.cost_usd),
      9,
    );
    expect(overall.cost_per_successful_task_usd).toBeCloseTo(
      sum((t) => t.cost_usd) / count((t) => t.strong_completion),
      9,
    );
    expect(overall.error_type_counts.tool_failure).toBe(
      count((t) => t.error_types.tool_failure > 0),
    );
    expect(overall.avg_steps).toBeCloseTo(sum((t) => t.step_count) / n, 12);
    for (const q of [0.5, 0.95, 0.99] as const) {
      const key = `latency_p${Math.round(q * 100)}_ms` as 'latency_p50_ms';
      const exact = exactQuantile(
        traces.map((t) => t.duration_ms),
        q,
      );
      expect(Math.abs(overall[key]! - exact) / exact).toBeLessThanOrEqual(0.0101);
    }
    // User satisfaction: coverage, positive share (inside its own interval) and each signal.
    const rated = count((t) => t.rating !== 'none');
    expect(overall.rating_coverage).toBeCloseTo(rated / n, 12);
    expect(overall.positive_share).toBeCloseTo(count((t) => t.rating === 'positive') / rated, 12);
    expect(overall.positive_share_low!).toBeLessThan(overall.positive_share!);
    expect(overall.positive_share_high!).toBeGreaterThan(overall.positive_share!);
    expect(overall.corrected_rate).toBeCloseTo(count((t) => t.corrected) / n, 12);
    expect(overall.copied_rate).toBeCloseTo(count((t) => t.output_copied) / n, 12);
    const signals: [number, (t: (typeof traces)[number]) => boolean][] = [
      [1, (t) => t.output_copied],
      [0.5, (t) => t.accepted],
      [0.25, (t) => t.follow_up],
      [-1, (t) => t.corrected],
      [-1, (t) => t.abandoned],
    ];
    const weighted = signals.reduce((s, [w, f]) => s + w * count(f), 0);
    const magnitude = signals.reduce((s, [w, f]) => s + Math.abs(w) * count(f), 0);
    expect(overall.satisfaction_index).toBeCloseTo(weighted / magnitude, 12);
    const support = slices.find((s) => s.dimension === 'task_type' && s.value === 'support')!;
    expect(support.trace_count).toBe(count((t) => t.task_type === 'support'));
    const rates = slices.map((s) => s.strong_completion_rate!);
    expect(rates).toEqual([...rates].sort((a, b) => a - b));
  });

  it('an empty period has zero traces and null rates', () => {
    const { overall, slices } = summarizePartials([], { from: T0, to: T0 + H });
    expect(overall.trace_count).toBe(0);
    expect(overall.completion_rate).toBeNull();
    expect(overall.latency_p99_ms).toBeNull();
    expect(slices).toEqual([]);
  });

  it('drops slices under minSliceTraces', () => {
    const { slices } = summarizePartials(
      partialsOf(rows, 86400, T0, T0 + 2 * D),
      { from: T0, to: T0 + 2 * D },
      { minSliceTraces: 10_000 },
    );
    expect(slices).toEqual([]);
  });
});

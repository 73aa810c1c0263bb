import {
  MetricWindowSchema,
  toTraceContribution,
  type MetricWindow,
  type TraceSummary,
} from '@agentmon/contracts';
import { makeTraceSummary } from '@agentmon/testing';
import { LATENCY_RELATIVE_ACCURACY } from './latency-sketch';
import { HOUR_MS, mergePartials, rollupPartials } from './merge-partials';
import { sliceValue } from './slice-values';
import { randomTraces, T0 } from './test/random-traces';
import { hashPartition, runAggregation } from './test/run-aggregation';

const MIN = 60_000;
const COMPUTED_AT = T0 + 10 * HOUR_MS;
const find = (windows: MetricWindow[], start: number, dimension: string, value: string) =>
  windows.find(
    (w) => w.window_start === start && w.slice.dimension === dimension && w.slice.value === value,
  );

/** The metrics of one window computed naively from the traces themselves. */
function direct(traces: TraceSummary[]) {
  const n = traces.length;
  const count = (f: (t: TraceSummary) => boolean) => traces.filter(f).length;
  const sum = (f: (t: TraceSummary) => number) => traces.reduce((a, t) => a + f(t), 0);
  const durations = traces.map((t) => t.duration_ms).sort((a, b) => a - b);
  const costCents = sum((t) => Math.round(t.cost_usd * 1e9)) / 1e9;
  return {
    trace_count: n,
    completion_rate: count((t) => t.completed) / n,
    strong_completion_rate: count((t) => t.strong_completion) / n,
    cost_total_usd: costCents,
    cost_per_successful_task_usd: costCents / count((t) => t.strong_completion),
    error_rate: sum((t) => t.tool_error_count) / sum((t) => t.tool_call_count),
    timeout_rate: count((t) => t.error_types.timeout > 0) / n,
    avg_tokens: sum((t) => t.input_tokens + t.output_tokens) / n,
    avg_steps: sum((t) => t.step_count) / n,
    p95: durations[Math.floor(0.95 * (n - 1))]!,
  };
}

describe('mergePartials: every metric, overall and per slice', () => {
  const traces = randomTraces(2_500, { seed: 3, spanMs: 3 * MIN });
  const windows = mergePartials(
    runAggregation(traces, { partitionOf: hashPartition(3), pollEvery: 16 }),
    {
      computedAt: COMPUTED_AT,
    },
  );
  const inWindow = traces.filter((t) => t.ended_at >= T0 + MIN && t.ended_at < T0 + 2 * MIN);

  it('emits schema-valid windows', () => {
    for (const w of windows) expect(MetricWindowSchema.parse(w)).toEqual(w);
  });

  it.each<[string, string, (t: TraceSummary) => boolean]>([
    ['all', '*', () => true],
    ['task_type', 'task-2', (t) => t.task_type === 'task-2'],
    ['task_type', 'unknown', (t) => t.task_type === null],
    ['user_type', 'sessions_2_5', (t) => sliceValue('user_type', t) === 'sessions_2_5'],
    ['query_length_bucket', '200-999', (t) => sliceValue('query_length_bucket', t) === '200-999'],
    ['hour_of_day', '09', () => true],
  ])('%s=%s equals the direct computation from the traces', (dimension, value, filter) => {
    const expected = direct(inWindow.filter(filter));
    const w = find(windows, T0 + MIN, dimension, value)!;
    expect(w).toMatchObject({
      trace_count: expected.trace_count,
      completion_rate: expect.closeTo(expected.completion_rate, 12),
      strong_completion_rate: expect.closeTo(expected.strong_completion_rate, 12),
      completion_gap: expect.closeTo(
        expected.completion_rate - expected.strong_completion_rate,
        12,
      ),
      cost_total_usd: expect.closeTo(expected.cost_total_usd, 12),
      cost_per_successful_task_usd: expect.closeTo(expected.cost_per_successful_task_usd, 12),
      error_rate: expect.closeTo(expected.error_rate, 12),
      avg_tokens: expect.closeTo(expected.avg_tokens, 12),
      avg_steps: expect.closeTo(expected.avg_steps, 12),
      traffic_share: expect.closeTo(expected.trace_count / inWindow.length, 12),
    });
    expect(w.error_type_rates.timeout).toBeCloseTo(expected.timeout_rate, 12);
    expect(Math.abs(w.latency_p95_ms! - expected.p95) / expected.p95).toBeLessThanOrEqual(
      LATENCY_RELATIVE_ACCURACY,
    );
  });

  it('gives the slices of a dimension shares summing to 1', () => {
    const shares = windows
      .filter((w) => w.window_start === T0 + MIN && w.slice.dimension === 'platform')
      .map((w) => w.traffic_share!);
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('derives null rates for an empty denominator', () => {
    const noTools = makeTraceSummary({ tool_call_count: 0, strong_completion: false });
    const [all] = mergePartials(runAggregation([noTools]), { computedAt: COMPUTED_AT });
    expect(all).toMatchObject({ error_rate: null, cost_per_successful_task_usd: null });
  });
});

describe('mergePartials: exact whatever the partitioning', () => {
  // 12 task types against a bound of 4: the fold into "other" is exercised too.
  // In end-time order so nothing is late: late traces make revisions, which count per partial.
  const traces = randomTraces(2_000, { seed: 11, spanMs: 4 * MIN, taskTypes: 12 }).sort(
    (a, b) => a.ended_at - b.ended_at,
  );
  const options = { maxValuesPerDimension: 4 };
  const merge = (run: Parameters<typeof runAggregation>[1]) =>
    mergePartials(runAggregation(traces, { pollEvery: 16, ...run, options }), {
      computedAt: COMPUTED_AT,
      ...options,
    });
  const oneInstance = merge({});

  it.each<[string, Parameters<typeof runAggregation>[1]]>([
    ['3 partitions, 1 instance', { partitionOf: hashPartition(3) }],
    ['3 partitions, 3 instances', { partitionOf: hashPartition(3), instanceOf: (p) => p }],
    [
      '3 partitions round robin, 3 instances',
      { partitionOf: (_s, i) => i % 3, instanceOf: (p) => p },
    ],
    ['7 partitions, 2 instances', { partitionOf: hashPartition(7), instanceOf: (p) => p % 2 }],
  ])('%s gives windows identical to 1 partition', (_label, run) => {
    expect(merge(run)).toEqual(oneInstance);
  });

  it('folds into "other" exactly: kept values plus other add up to the overall count', () => {
    const tasks = oneInstance.filter(
      (w) => w.window_start === T0 && w.slice.dimension === 'task_type',
    );
    expect(tasks.map((w) => w.slice.value)).toHaveLength(5);
    expect(tasks.at(-1)!.slice.value).toBe('other');
    expect(tasks.reduce((n, w) => n + w.trace_count, 0)).toBe(
      find(oneInstance, T0, 'all', '*')!.trace_count,
    );
  });

  it('rejects partials of mixed window sizes', () => {
    const [a] = runAggregation(traces.slice(0, 1));
    expect(() =>
      mergePartials([a!, { ...a!, window_size_ms: 2 * MIN }], { computedAt: COMPUTED_AT }),
    ).toThrow(RangeError);
  });
});

describe('mergePartials: revisions', () => {
  const original = makeTraceSummary({ trace_id: 'trace-late', ended_at: T0 + 10_000 });
  const others = randomTraces(50, { seed: 5, spanMs: 50_000 }).map((t) => ({
    ...t,
    strong_completion: t.completed,
  }));
  const rated = {
    ...original,
    revision: 1,
    rating: 'negative' as const,
    strong_completion: false,
    previous_contribution: toTraceContribution(original),
  };
  // The rating arrives a minute after the window closed (a later trace moved the watermark).
  const closer = makeTraceSummary({ ended_at: T0 + 5 * MIN });

  it('moves strong completion of a closed window with a new revision', () => {
    const first = runAggregation([original, ...others, closer]);
    const afterRating = runAggregation([original, ...others, closer, rated]);
    const before = find(mergePartials(first, { computedAt: COMPUTED_AT }), T0, 'all', '*')!;
    const after = find(mergePartials(afterRating, { computedAt: COMPUTED_AT }), T0, 'all', '*')!;
    expect(before).toMatchObject({ revision: 0, trace_count: 51 });
    expect(after).toMatchObject({
      revision: 1,
      trace_count: 51,
      strong_completed_count: before.strong_completed_count - 1,
    });
    // Equal to a world where the trace was rated negative from the start.
    const rightAway = runAggregation([
      { ...rated, previous_contribution: null },
      ...others,
      closer,
    ]);
    expect(after).toEqual({
      ...find(mergePartials(rightAway, { computedAt: COMPUTED_AT }), T0, 'all', '*')!,
      revision: 1,
    });
  });

  it('emits an empty revision (null rates) when a revision moved the only trace away', () => {
    const moved = { ...rated, started_at: T0 + 3 * MIN, ended_at: T0 + 3 * MIN + 5_000 };
    const windows = mergePartials(runAggregation([original, closer, moved]), {
      computedAt: COMPUTED_AT,
    });
    expect(find(windows, T0, 'all', '*')).toMatchObject({
      trace_count: 0,
      completion_rate: null,
      latency_p50_ms: null,
      revision: 1,
    });
    expect(find(windows, T0 + 3 * MIN, 'all', '*')!.trace_count).toBe(1);
  });
});

describe('rollupPartials', () => {
  const traces = randomTraces(2_000, { seed: 21, from: T0, spanMs: 2 * HOUR_MS, taskTypes: 9 });
  const sorted = [...traces].sort((a, b) => a.ended_at - b.ended_at);
  const options = { maxValuesPerDimension: 5 };

  it('equals computing the hourly windows directly from the traces', () => {
    const minutes = runAggregation(sorted, {
      options,
      partitionOf: hashPartition(3),
      pollEvery: 16,
    });
    const hourly = runAggregation(sorted, { options: { ...options, windowSizeMs: HOUR_MS } });
    expect(rollupPartials(minutes, HOUR_MS, { computedAt: COMPUTED_AT, ...options })).toEqual(
      mergePartials(hourly, { computedAt: COMPUTED_AT, ...options }),
    );
  });

  it('weights by traces, not by windows (no average of averages)', () => {
    const minutes = runAggregation(sorted, { options });
    const [hour] = rollupPartials(minutes, HOUR_MS, { computedAt: COMPUTED_AT });
    const firstHour = traces.filter((t) => t.ended_at < T0 + HOUR_MS);
    expect(hour!.trace_count).toBe(firstHour.length);
    expect(hour!.avg_steps).toBeCloseTo(
      firstHour.reduce((a, t) => a + t.step_count, 0) / firstHour.length,
      12,
    );
  });
});

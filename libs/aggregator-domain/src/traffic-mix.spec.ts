import { MetricWindowSchema, toTraceContribution, type TraceSummary } from '@agentmon/contracts';
import { combinePartials, HOUR_MS, mergePartials, rollupPartials } from './merge-partials';
import { sliceValue, SLICE_DIMENSIONS } from './slice-values';
import { randomTraces, T0 } from './test/random-traces';
import { hashPartition, runAggregation } from './test/run-aggregation';
import { toolCallBucketIndex, TOOL_CALL_BUCKETS } from './traffic-mix';
import { WindowAggregator } from './window-aggregator';

const MIN = 60_000;

function flagged(traces: TraceSummary[]): TraceSummary[] {
  return traces.map((t, i) => ({
    ...t,
    safety_flagged: i % 7 === 0,
    tool_call_count: i % 25,
    tool_error_count: 0,
  }));
}

describe('traffic mix on the overall window', () => {
  const traces = flagged(randomTraces(1_500, { seed: 9, spanMs: 2 * MIN }));
  const windows = mergePartials(runAggregation(traces, { partitionOf: hashPartition(3) }), {
    computedAt: T0 + HOUR_MS,
  });

  it.each([
    [0, '0'],
    [1, '1-2'],
    [2, '1-2'],
    [3, '3-5'],
    [10, '6-10'],
    [20, '11-20'],
    [21, '21+'],
    [500, '21+'],
  ])('buckets %i tool calls as %s', (calls, bucket) => {
    expect(TOOL_CALL_BUCKETS[toolCallBucketIndex(calls)]!.value).toBe(bucket);
  });

  it('counts traces per slice value and per tool-call bucket, and safety-flagged traces', () => {
    const inWindow = traces.filter((t) => t.ended_at < T0 + MIN);
    const overall = windows.find((w) => w.window_start === T0 && w.slice.dimension === 'all')!;
    expect(MetricWindowSchema.parse(overall)).toEqual(overall);
    expect(overall.safety_flagged_count).toBe(inWindow.filter((t) => t.safety_flagged).length);
    const expectedTools: Record<string, number> = {};
    for (const t of inWindow) {
      const bucket = TOOL_CALL_BUCKETS[toolCallBucketIndex(t.tool_call_count)]!.value;
      expectedTools[bucket] = (expectedTools[bucket] ?? 0) + 1;
    }
    expect(overall.traffic_mix!.tool_calls).toEqual(expectedTools);
    for (const dimension of SLICE_DIMENSIONS) {
      const expected: Record<string, number> = {};
      for (const t of inWindow) {
        const value = sliceValue(dimension, t);
        expected[value] = (expected[value] ?? 0) + 1;
      }
      expect(overall.traffic_mix![dimension]).toEqual(expected);
    }
    const sliced = windows.filter((w) => w.slice.dimension !== 'all');
    expect(sliced.every((w) => w.traffic_mix === undefined)).toBe(true);
  });

  it('moves a revision out of its old bucket (flag taken from the revision when absent)', () => {
    const original = { ...traces[0]!, tool_call_count: 0, safety_flagged: true };
    const aggregator = new WindowAggregator();
    aggregator.ingest({ partition: 0, offset: 0, summary: original }, T0);
    const revised: TraceSummary = {
      ...original,
      revision: 1,
      tool_call_count: 4,
      previous_contribution: toTraceContribution(original),
    };
    aggregator.ingest({ partition: 0, offset: 1, summary: revised }, T0);
    const [overall] = mergePartials(aggregator.poll(T0 + 10 * HOUR_MS), { computedAt: T0 });
    expect(overall!.traffic_mix!.tool_calls).toEqual({ '3-5': 1 });
    expect(overall!.safety_flagged_count).toBe(1);
  });
});

describe('combinePartials', () => {
  const traces = flagged(randomTraces(3_000, { seed: 4, spanMs: 90 * MIN, taskTypes: 30 }));
  const partials = runAggregation(traces, {
    partitionOf: hashPartition(3),
    options: { maxValuesPerDimension: 10 },
  });
  const strip = (windows: ReturnType<typeof mergePartials>) =>
    windows.map((w) => ({ ...w, revision: 0 }));

  it('merges to the same windows as the partials it combines', () => {
    const combined = combinePartials(partials, { revision: 3, maxValuesPerDimension: 10 });
    expect(combined.every((p) => p.partition === -1 && p.generation === 3)).toBe(true);
    expect(strip(mergePartials(combined, { computedAt: 1, maxValuesPerDimension: 10 }))).toEqual(
      strip(mergePartials(partials, { computedAt: 1, maxValuesPerDimension: 10 })),
    );
  });

  it('hourly rollups of combined minute partials equal rollups of the raw partials', () => {
    const minutes = combinePartials(partials, { revision: 0, maxValuesPerDimension: 10 });
    const hours = combinePartials(minutes, {
      revision: 0,
      windowSizeMs: HOUR_MS,
      maxValuesPerDimension: 10,
    });
    const direct = rollupPartials(partials, HOUR_MS, { computedAt: 1, maxValuesPerDimension: 10 });
    expect(
      strip(rollupPartials(minutes, HOUR_MS, { computedAt: 1, maxValuesPerDimension: 10 })),
    ).toEqual(strip(direct));
    expect(strip(mergePartials(hours, { computedAt: 1, maxValuesPerDimension: 10 }))).toEqual(
      strip(direct),
    );
  });
});

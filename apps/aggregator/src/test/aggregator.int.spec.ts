import {
  ALL_SLICE_VALUE,
  Topics,
  toTraceContribution,
  type TraceSummary,
} from '@agentmon/contracts';
import { randomUUID } from 'node:crypto';
import { HotWindows } from '../sinks/hot-windows';
import { AggregatorHarness, expectedByWindow, variedTraces } from './aggregator-harness';

const MIN = 60_000;

describe('aggregator app: traces in, exact windows out', () => {
  const harness = new AggregatorHarness();
  let app: ReturnType<AggregatorHarness['start']>;

  beforeAll(async () => {
    await harness.setUp();
    app = harness.start();
    await app.url();
  });
  afterAll(async () => {
    await app?.stop(15000);
    await harness.tearDown();
  });

  it('stores every window of every slice exactly, publishes it and keeps the hot keys', async () => {
    const project = `p-${randomUUID()}`;
    const from = Math.floor((Date.now() - 5 * MIN) / MIN) * MIN;
    const traces = variedTraces(project, 600, from, 3 * MIN, 7);
    await harness.produceTraces(traces);
    const overall = await harness.waitForTraceCount(project, traces.length);
    const expected = expectedByWindow(traces);
    expect(overall.map((w) => w.window_start)).toEqual([...expected.keys()].sort((a, b) => a - b));
    for (const w of overall) {
      const e = expected.get(w.window_start)!;
      expect(w.trace_count).toBe(e.trace_count);
      expect(w.completed_count).toBe(e.completed);
      expect(w.strong_completed_count).toBe(e.strong);
      expect(w.tool_error_count).toBe(e.tool_errors);
      expect(w.cost_total_usd).toBeCloseTo(e.costNanos / 1e9, 9);
      expect(w.safety_flagged_count).toBe(
        traces.filter(
          (t) => Math.floor(t.ended_at / MIN) * MIN === w.window_start && t.safety_flagged,
        ).length,
      );
      expect(Object.values(w.traffic_mix!.task_type!).reduce((a, b) => a + b, 0)).toBe(
        e.trace_count,
      );
      expect(Object.values(w.traffic_mix!.tool_calls!).reduce((a, b) => a + b, 0)).toBe(
        e.trace_count,
      );
    }
    // Every slice of a dimension adds up to the overall window.
    const all = await harness.windows(project);
    const first = overall[0]!;
    for (const dimension of ['task_type', 'platform', 'user_type', 'query_length_bucket']) {
      const slices = all.filter(
        (w) => w.window_start === first.window_start && w.slice.dimension === dimension,
      );
      expect(slices.reduce((sum, w) => sum + w.trace_count, 0)).toBe(first.trace_count);
    }
    // The hourly rollup re-merges the minutes: same sums.
    const hourly = (await harness.windows(project, 3600)).filter(
      (w) => w.slice.dimension === 'all',
    );
    expect(hourly.reduce((s, w) => s + w.trace_count, 0)).toBe(traces.length);
    const daily = (await harness.windows(project, 86400)).filter(
      (w) => w.slice.dimension === 'all',
    );
    expect(daily.reduce((s, w) => s + w.trace_count, 0)).toBe(traces.length);

    // The metrics topic carries every overall window, keyed by series.
    const published = await harness.readTopic(Topics.metrics, (seen) =>
      overall.every((o) =>
        seen.some(
          (w) =>
            w.project_id === project &&
            w.slice.dimension === 'all' &&
            w.window_start === o.window_start &&
            w.revision === o.revision,
        ),
      ),
    );
    expect(published.filter((w) => w.project_id === project).length).toBeGreaterThan(0);

    // Redis: the latest closed window of the overall series and the last hour of windows.
    const keys = HotWindows.keys({
      project_id: project,
      metric_group: 'traces',
      slice: { dimension: 'all', value: ALL_SLICE_VALUE },
    });
    const latest = JSON.parse((await harness.redis.get(keys.latest))!) as { window_start: number };
    expect(latest.window_start).toBe(overall[overall.length - 1]!.window_start);
    expect(await harness.redis.hlen(keys.hour)).toBe(overall.length);
  });

  it('moves strong completion of a closed window when a trace is rated negative later', async () => {
    const project = `p-${randomUUID()}`;
    const from = Math.floor((Date.now() - 4 * MIN) / MIN) * MIN;
    const traces = variedTraces(project, 200, from, MIN, 11).map((t) => ({
      ...t,
      completed: true,
      strong_completion: true,
      final_output: 'Done.',
      weak_completion: true,
    }));
    await harness.produceTraces(traces);
    const [before] = await harness.waitForTraceCount(project, traces.length);
    expect(before!.strong_completed_count).toBe(200);
    const original = traces[0]!;
    const revised: TraceSummary = {
      ...original,
      revision: 1,
      rating: 'negative',
      strong_completion: false,
      closed_at: original.closed_at + MIN,
      previous_contribution: toTraceContribution(original),
    };
    await harness.produceTraces([revised]);
    const after = await harness.waitFor('the revised window', async () => {
      const [w] = (await harness.windows(project)).filter((x) => x.slice.dimension === 'all');
      return w && w.strong_completed_count === 199 ? w : undefined;
    });
    expect(after.trace_count).toBe(200);
    expect(after.completed_count).toBe(200);
    expect(after.revision).toBeGreaterThan(before!.revision);
    expect(after.strong_completion_rate).toBeCloseTo(199 / 200, 12);
  });

  it('sends a record that breaks its contract to the dead-letter topic with the reason', async () => {
    const key = `bad-${randomUUID()}`;
    await harness.produceRaw(
      Topics.traces,
      key,
      JSON.stringify({ trace_id: key, project_id: 'p' }),
    );
    const letters = await harness.readTopic(Topics.deadLetter, (seen) =>
      seen.some((l) => l.key === key && l.consumer === 'aggregator'),
    );
    const letter = letters.find((l) => l.key === key && l.consumer === 'aggregator')!;
    expect(letter).toMatchObject({ reason: 'schema_validation', source_topic: Topics.traces });
    expect(app.running).toBe(true);
  });
});

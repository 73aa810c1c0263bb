import { randomUUID } from 'node:crypto';
import {
  AggregatorHarness,
  comparable,
  expectedByWindow,
  variedTraces,
} from './aggregator-harness';

const MIN = 60_000;
const HOUR = 60 * MIN;

function expectExact(
  windows: {
    window_start: number;
    trace_count: number;
    completed_count: number;
    strong_completed_count: number;
    cost_total_usd: number;
  }[],
  traces: Parameters<typeof expectedByWindow>[0],
): void {
  const expected = expectedByWindow(traces);
  expect(windows.map((w) => w.window_start)).toEqual([...expected.keys()].sort((a, b) => a - b));
  for (const w of windows) {
    const e = expected.get(w.window_start)!;
    expect([w.trace_count, w.completed_count, w.strong_completed_count]).toEqual([
      e.trace_count,
      e.completed,
      e.strong,
    ]);
    expect(w.cost_total_usd).toBeCloseTo(e.costNanos / 1e9, 9);
  }
}

describe('aggregator exactness under crash, scale-out and backfill', () => {
  const single = new AggregatorHarness();
  const triple = new AggregatorHarness();

  beforeAll(async () => {
    await single.setUp();
    await triple.setUp();
  });
  afterAll(async () => {
    await single.tearDown();
    await triple.tearDown();
  });

  it('counts every trace exactly once after a SIGKILL mid-stream and a restart', async () => {
    const project = `p-${randomUUID()}`;
    const from = Math.floor((Date.now() - 8 * MIN) / MIN) * MIN;
    const traces = variedTraces(project, 3000, from, 6 * MIN, 21).sort(
      (a, b) => a.ended_at - b.ended_at,
    );
    const first = single.start();
    await first.url();
    const third = Math.floor(traces.length / 3);
    await single.produceTraces(traces.slice(0, third));
    // Some windows merged (partials durable, offsets committed), others still open.
    await single.waitFor('a first merged window', async () =>
      (await single.windows(project)).length > 0 ? true : undefined,
    );
    await single.produceTraces(traces.slice(third, 2 * third));
    first.kill('SIGKILL');
    expect(await first.exitCode()).toBeNull();
    await single.produceTraces(traces.slice(2 * third));
    const second = single.start();
    try {
      await second.url();
      const windows = await single.waitForTraceCount(project, traces.length, 90000);
      expectExact(windows, traces);
    } finally {
      await second.stop(15000);
    }
  }, 180_000);

  it('gives identical windows through 1 and through 3 instances, and a backfilled hour equals it sent live', async () => {
    const live = `p-${randomUUID()}`;
    const backfill = `p-${randomUUID()}`;
    const from = Math.floor((Date.now() - 2 * HOUR) / HOUR) * HOUR;
    // "Live": the hour in event-time order, in small batches, as it would arrive.
    const liveTraces = variedTraces(live, 2400, from, HOUR, 5).sort(
      (a, b) => a.ended_at - b.ended_at,
    );
    // Backfill: the same traces of another project, hours old, sent at once in random order.
    const backfillTraces = liveTraces
      .map((t, i) => ({
        t: { ...t, project_id: backfill, trace_id: `${backfill}-t${i}` },
        k: Math.random(),
      }))
      .sort((a, b) => a.k - b.k)
      .map((x) => x.t);

    const one = single.start();
    const three = [triple.start(), triple.start(), triple.start()];
    try {
      await Promise.all([one.url(), ...three.map((app) => app.url())]);
      for (let i = 0; i < liveTraces.length; i += 100) {
        const batch = liveTraces.slice(i, i + 100);
        await single.produceTraces(batch);
      }
      await single.produceTraces(backfillTraces);

      const windowsOne = await single.waitForTraceCount(live, liveTraces.length, 90000);
      await triple.waitForTraceCount(live, liveTraces.length, 90000);
      expectExact(windowsOne, liveTraces);
      // Every slice of every window equal (counts and sketches), whatever the spread.
      const allOne = (await single.windows(live)).map(comparable);
      const allThree = (await triple.windows(live)).map(comparable);
      expect(allThree).toEqual(allOne);

      await single.waitForTraceCount(backfill, backfillTraces.length, 120000);
      expect((await single.windows(backfill)).map(comparable)).toEqual(allOne);
      const hourOf = async (h: AggregatorHarness, p: string) =>
        (await h.windows(p, 3600)).map(comparable);
      await single.waitFor('hourly rollups of both', async () => {
        const [a, b] = [await hourOf(single, live), await hourOf(single, backfill)];
        return a.length > 0 && JSON.stringify(a) === JSON.stringify(b) ? true : undefined;
      });
      expect(await hourOf(single, backfill)).toEqual(await hourOf(single, live));
    } finally {
      await Promise.all([one.stop(15000), ...three.map((app) => app.stop(15000))]);
    }
  }, 240_000);
});

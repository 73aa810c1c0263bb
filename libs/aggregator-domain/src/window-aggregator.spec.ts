import { toTraceContribution, type TraceSummary } from '@agentmon/contracts';
import { makeTraceSummary } from '@agentmon/testing';
import type { PartialWindow } from './partial-window';
import { randomTraces, T0 } from './test/random-traces';
import { runAggregation } from './test/run-aggregation';
import { WindowAggregator } from './window-aggregator';

const MIN = 60_000;
// Processing time for specs that do not care: an hour after the traces (a backfill).
const NOW = T0 + 3_600_000;
const endingAt = (ended_at: number, partial: Partial<TraceSummary> = {}) =>
  makeTraceSummary({
    started_at: ended_at - 1_000,
    ended_at,
    closed_at: ended_at + 1_000,
    ...partial,
  });

function allCell(partial: PartialWindow) {
  return partial.cells.find((c) => c.dimension === 'all')!;
}
const summaryOf = (partials: PartialWindow[]) =>
  partials.map((p) => ({
    start: p.window_start - T0,
    generation: p.generation,
    traces: allCell(p).trace_count,
    strong: allCell(p).strong_completed_count,
  }));

describe('WindowAggregator: event-time windows and watermarks', () => {
  it.each<[string, number[], number[]]>([
    // [label, ended_at offsets from T0 in order, window starts (from T0) closed afterwards]
    ['one record closes nothing', [10_000], []],
    ['watermark inside the lateness keeps the window open', [10_000, 89_999], []],
    ['watermark at end + lateness closes the window', [10_000, 90_000], [0]],
    ['a jump closes every window it passes', [10_000, 70_000, 130_000, 300_000], [0, MIN, 2 * MIN]],
  ])('%s', (_label, endedAts, closedStarts) => {
    const aggregator = new WindowAggregator();
    endedAts.forEach((t, offset) =>
      aggregator.ingest({ partition: 0, offset, summary: endingAt(T0 + t) }, T0 + t + 1_000),
    );
    expect(aggregator.poll(T0 + endedAts.at(-1)! + 1_000).map((p) => p.window_start - T0)).toEqual(
      closedStarts,
    );
  });

  it('keeps one watermark per partition: a busy partition does not close a slow one', () => {
    const aggregator = new WindowAggregator();
    aggregator.ingest({ partition: 0, offset: 0, summary: endingAt(T0 + 10_000) }, T0 + 11_000);
    aggregator.ingest({ partition: 1, offset: 0, summary: endingAt(T0 + 20_000) }, T0 + 21_000);
    aggregator.ingest({ partition: 0, offset: 1, summary: endingAt(T0 + 200_000) }, T0 + 22_000);
    expect(aggregator.poll(T0 + 23_000).map((p) => [p.partition, p.window_start - T0])).toEqual([
      [0, 0],
    ]);
    expect(aggregator.watermark(1)).toBe(T0 + 20_000);
    expect(aggregator.closedThrough(0)).toBe(T0 + 170_000);
    expect(aggregator.watermark(7)).toBeNull();
  });

  it('counts a trace within the allowed lateness in its on-time window (generation 0)', () => {
    const aggregator = new WindowAggregator();
    aggregator.ingest({ partition: 0, offset: 0, summary: endingAt(T0 + 70_000) }, NOW);
    aggregator.ingest({ partition: 0, offset: 1, summary: endingAt(T0 + 5_000) }, NOW);
    aggregator.ingest({ partition: 0, offset: 2, summary: endingAt(T0 + 95_000) }, NOW);
    expect(summaryOf(aggregator.poll(NOW))).toEqual([
      { start: 0, generation: 0, traces: 1, strong: 1 },
    ]);
  });

  it('turns a trace later than the lateness into a revision (next generation), never a drop', () => {
    const aggregator = new WindowAggregator();
    aggregator.ingest({ partition: 0, offset: 0, summary: endingAt(T0 + 5_000) }, NOW);
    aggregator.ingest({ partition: 0, offset: 1, summary: endingAt(T0 + 200_000) }, NOW);
    expect(summaryOf(aggregator.poll(NOW))).toEqual([
      { start: 0, generation: 0, traces: 1, strong: 1 },
    ]);
    aggregator.ingest({ partition: 0, offset: 2, summary: endingAt(T0 + 6_000) }, NOW);
    // A window closed on this partition without any record of it yet: a revision too.
    aggregator.ingest({ partition: 0, offset: 3, summary: endingAt(T0 + 65_000) }, NOW);
    expect(summaryOf(aggregator.poll(NOW))).toEqual([
      { start: 0, generation: 1, traces: 1, strong: 1 },
      { start: MIN, generation: 1, traces: 1, strong: 1 },
    ]);
    aggregator.ingest({ partition: 0, offset: 4, summary: endingAt(T0 + 7_000) }, NOW);
    expect(summaryOf(aggregator.poll(NOW))).toEqual([
      { start: 0, generation: 2, traces: 1, strong: 1 },
    ]);
  });

  it('never lets a future-stamped trace (skewed clock) close the open windows', () => {
    const aggregator = new WindowAggregator({ maxClockSkewMs: 60_000 });
    const now = T0 + 20_000;
    aggregator.ingest({ partition: 0, offset: 0, summary: endingAt(T0 + 10_000) }, now);
    aggregator.ingest({ partition: 0, offset: 1, summary: endingAt(T0 + 10 * 3_600_000) }, now);
    expect(aggregator.watermark(0)).toBe(now + 60_000);
    expect(aggregator.poll(now)).toEqual([]);
  });
});

describe('WindowAggregator: idle close', () => {
  it.each<[string, number, number]>([
    ['just before the idle time nothing closes', 59_999, 0],
    ['at the idle time every open window closes', 60_000, 2],
  ])('%s', (_label, idleFor, closed) => {
    const aggregator = new WindowAggregator({ idleCloseMs: 60_000 });
    aggregator.ingest({ partition: 0, offset: 0, summary: endingAt(T0 + 10_000) }, NOW + 1_000);
    aggregator.ingest({ partition: 0, offset: 1, summary: endingAt(T0 + 70_000) }, NOW + 1_000);
    expect(aggregator.poll(NOW + 1_000 + idleFor)).toHaveLength(closed);
  });

  it('treats a record for an idle-closed window as a revision of it', () => {
    const aggregator = new WindowAggregator({ idleCloseMs: 1_000 });
    aggregator.ingest({ partition: 0, offset: 0, summary: endingAt(T0 + 10_000) }, NOW);
    expect(summaryOf(aggregator.poll(NOW + 1_000))).toEqual([
      { start: 0, generation: 0, traces: 1, strong: 1 },
    ]);
    aggregator.ingest({ partition: 0, offset: 1, summary: endingAt(T0 + 20_000) }, NOW + 2_000);
    aggregator.ingest({ partition: 0, offset: 2, summary: endingAt(T0 + 61_000) }, NOW + 2_000);
    expect(summaryOf(aggregator.poll(NOW + 3_000))).toEqual([
      { start: 0, generation: 1, traces: 1, strong: 1 },
      { start: MIN, generation: 0, traces: 1, strong: 1 },
    ]);
  });

  it('gives backfilled history (hours-old times sent fast) exactly the windows of live traffic', () => {
    const traces = randomTraces(1_500, { seed: 7, spanMs: 20 * MIN });
    // Arrival: close time plus up to 99 s of delivery jitter, so some traces are later than
    // the allowed lateness and revise closed windows, in both runs alike.
    const arrivalAt = new Map(traces.map((t, i) => [t, t.closed_at + ((i * 7919) % 100) * 1_000]));
    const arrival = [...traces].sort((a, b) => arrivalAt.get(a)! - arrivalAt.get(b)!);
    const live = runAggregation(arrival, {
      partitionOf: (_s, i) => i % 3,
      pollEvery: 8,
      nowOf: (s) => arrivalAt.get(s)!,
    });
    const backfill = runAggregation(arrival, {
      partitionOf: (_s, i) => i % 3,
      pollEvery: 8,
      nowOf: (_s, i) => T0 + 5 * 3_600_000 + i,
    });
    expect(backfill).toEqual(live);
    expect(live.some((p) => p.generation > 0)).toBe(true);
  });
});

describe('WindowAggregator: revisions', () => {
  const original = endingAt(T0 + 10_000, { trace_id: 'trace-r' });
  const ratedNegative = (ended_at = original.ended_at): TraceSummary => ({
    ...original,
    revision: 1,
    rating: 'negative',
    strong_completion: false,
    started_at: ended_at - 1_000,
    ended_at,
    previous_contribution: toTraceContribution(original),
  });

  it('moves the contribution within an open window: counted once, with the new outcome', () => {
    const aggregator = new WindowAggregator();
    aggregator.ingest({ partition: 0, offset: 0, summary: original }, NOW);
    aggregator.ingest({ partition: 0, offset: 1, summary: ratedNegative() }, NOW);
    aggregator.ingest({ partition: 0, offset: 2, summary: endingAt(T0 + 200_000) }, NOW);
    const [partial] = aggregator.poll(NOW);
    expect(allCell(partial!)).toMatchObject({
      trace_count: 1,
      strong_completed_count: 0,
      rating_negative_count: 1,
    });
    // The retracted latency is gone from the sketch too: one sample, not one plus a ghost.
    expect(allCell(partial!).latency.bins.map(([, count]) => count)).toEqual([1]);
  });

  it('retracts from a closed window with a delta generation', () => {
    const aggregator = new WindowAggregator();
    aggregator.ingest({ partition: 0, offset: 0, summary: original }, NOW);
    aggregator.ingest({ partition: 0, offset: 1, summary: endingAt(T0 + 200_000) }, NOW);
    aggregator.poll(NOW);
    aggregator.ingest({ partition: 0, offset: 2, summary: ratedNegative() }, NOW);
    const [delta] = aggregator.poll(NOW);
    expect(delta).toMatchObject({ window_start: T0, generation: 1, from_offset: 2 });
    expect(allCell(delta!)).toMatchObject({ trace_count: 0, strong_completed_count: -1 });
  });

  it('moves a trace whose end time changed to the window it belongs to now', () => {
    const aggregator = new WindowAggregator();
    aggregator.ingest({ partition: 0, offset: 0, summary: original }, NOW);
    aggregator.ingest({ partition: 0, offset: 1, summary: ratedNegative(T0 + 70_000) }, NOW);
    aggregator.ingest({ partition: 0, offset: 2, summary: endingAt(T0 + 300_000) }, NOW);
    expect(summaryOf(aggregator.poll(NOW))).toEqual([
      { start: 0, generation: 0, traces: 0, strong: 0 },
      { start: MIN, generation: 0, traces: 1, strong: 0 },
    ]);
  });

  it('skips a replayed record (same offset): nothing changes', () => {
    const once = new WindowAggregator();
    const twice = new WindowAggregator();
    const records = [original, ratedNegative(), endingAt(T0 + 200_000)].map((summary, offset) => ({
      partition: 0,
      offset,
      summary,
    }));
    records.forEach((r) => once.ingest(r, NOW));
    const outcomes = [...records.slice(0, 2), ...records].map((r) => twice.ingest(r, NOW));
    expect(outcomes).toEqual(['applied', 'applied', 'replay_skipped', 'replay_skipped', 'applied']);
    expect(twice.poll(NOW)).toEqual(once.poll(NOW));
  });

  it('after a restart, skips replayed records already in persisted partials', () => {
    const records = [original, endingAt(T0 + 20_000), endingAt(T0 + 200_000)].map(
      (summary, offset) => ({ partition: 0, offset, summary }),
    );
    const before = new WindowAggregator();
    records.forEach((r) => before.ingest(r, NOW));
    const persisted = before.poll(NOW);
    // Crash: the offset of the still-open window was the commit point, but replay from 0.
    expect(before.committableOffset(0)).toBe(2);
    const after = new WindowAggregator();
    after.restore(persisted);
    records.forEach((r) => after.ingest(r, NOW));
    expect(after.poll(NOW)).toEqual([]);
    after.ingest({ partition: 0, offset: 3, summary: ratedNegative() }, NOW);
    expect(summaryOf(after.poll(NOW))).toEqual([
      { start: 0, generation: 1, traces: 0, strong: -1 },
    ]);
  });
});

describe('WindowAggregator: bookkeeping', () => {
  it('commits up to the first offset of the oldest open window', () => {
    const aggregator = new WindowAggregator();
    expect(aggregator.committableOffset(0)).toBeNull();
    aggregator.ingest({ partition: 0, offset: 10, summary: endingAt(T0 + 10_000) }, NOW);
    aggregator.ingest({ partition: 0, offset: 11, summary: endingAt(T0 + 70_000) }, NOW);
    expect(aggregator.committableOffset(0)).toBe(10);
    aggregator.ingest({ partition: 0, offset: 12, summary: endingAt(T0 + 95_000) }, NOW);
    aggregator.poll(NOW);
    expect(aggregator.committableOffset(0)).toBe(11);
    expect(aggregator.openWindowCount()).toBe(1);
    aggregator.dropPartition(0);
    expect(aggregator.openWindowCount()).toBe(0);
  });

  it('bounds the values per dimension: the rest folds into "other", sums intact', () => {
    const aggregator = new WindowAggregator({ maxValuesPerDimension: 3 });
    for (let i = 0; i < 10; i++) {
      aggregator.ingest(
        { partition: 0, offset: i, summary: endingAt(T0 + 1_000 + i, { task_type: `t${i}` }) },
        0,
      );
    }
    const [partial] = aggregator.poll(1e12);
    const taskCells = partial!.cells.filter((c) => c.dimension === 'task_type');
    expect(taskCells.map((c) => c.value)).toHaveLength(4);
    expect(taskCells.at(-1)).toMatchObject({ value: 'other', trace_count: 7 });
    expect(taskCells.reduce((n, c) => n + c.trace_count, 0)).toBe(10);
  });

  it('produces JSON-serializable partials', () => {
    const partials = runAggregation(randomTraces(200));
    expect(JSON.parse(JSON.stringify(partials))).toEqual(partials);
  });

  it.each([
    { windowSizeMs: 0 },
    { maxValuesPerDimension: 0 },
    { idleCloseMs: -1 },
    { allowedLatenessMs: 1.5 },
  ])('rejects invalid options %p', (options) =>
    expect(() => new WindowAggregator(options)).toThrow(RangeError),
  );
});

describe('WindowAggregator: maxOpenWindows bounds memory', () => {
  // Windows are ingested newest first (a shuffled backfill): the watermark is at once past
  // none of them once the lateness is a day, so only the bound closes anything.
  const DAY = 24 * 60 * MIN;
  it.each<[string, number, number[], number[]]>([
    // [label, maxOpenWindows, window starts (minutes from T0) ingested, closed early (minutes)]
    ['under the bound nothing closes', 5, [3, 2, 1, 0], []],
    ['at the bound nothing closes', 5, [4, 3, 2, 1, 0], []],
    ['one over: the oldest close down to 90 % of the bound', 5, [5, 4, 3, 2, 1, 0], [0, 1]],
    [
      'over it the oldest close, down to 90 %',
      10,
      [11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
      [0, 1, 2],
    ],
    ['whatever the order they came in', 4, [0, 7, 3, 9, 1], [0, 1]],
  ])('%s', (_label, maxOpenWindows, minutes, closedEarly) => {
    const aggregator = new WindowAggregator({ maxOpenWindows, allowedLatenessMs: DAY });
    minutes.forEach((minute, offset) =>
      aggregator.ingest(
        { partition: offset % 2, offset, summary: endingAt(T0 + minute * MIN) },
        NOW,
      ),
    );
    const closed = aggregator.poll(NOW);
    expect(closed.map((p) => (p.window_start - T0) / MIN).sort((a, b) => a - b)).toEqual(
      closedEarly,
    );
    expect(aggregator.openWindowCount()).toBe(minutes.length - closedEarly.length);
    expect(aggregator.closedEarlyCount).toBe(closedEarly.length);
  });

  it('a record for a window closed early revises it: every trace is still counted once', () => {
    const aggregator = new WindowAggregator({ maxOpenWindows: 2, allowedLatenessMs: DAY });
    const partials: PartialWindow[] = [];
    let offset = 0;
    for (const minute of [0, 1, 2, 0, 1, 2, 0]) {
      aggregator.ingest(
        { partition: 0, offset: offset++, summary: endingAt(T0 + minute * MIN) },
        NOW,
      );
      partials.push(...aggregator.poll(NOW));
    }
    partials.push(...aggregator.poll(NOW + DAY));
    const perWindow = new Map<number, number>();
    for (const p of partials)
      perWindow.set(
        p.window_start - T0,
        (perWindow.get(p.window_start - T0) ?? 0) + allCell(p).trace_count,
      );
    expect([...perWindow].sort((a, b) => a[0] - b[0])).toEqual([
      [0, 3],
      [MIN, 2],
      [2 * MIN, 2],
    ]);
    expect(partials.some((p) => p.generation > 0)).toBe(true);
    expect(aggregator.openWindowCount()).toBe(0);
  });
});

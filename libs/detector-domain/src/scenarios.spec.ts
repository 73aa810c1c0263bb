import type { Slice } from '@agentmon/contracts';
import { DAY_MS, DetectorEngine, HOUR_MS, WEEK_MS, type PointStatus } from './engine';
import { OVERALL_SLICE, type DetectorPoint } from './point';
import { createDetectorState } from './state';
import { gaussian, T0 } from './test-points';

/** One daily rollup point (a one-day window closes its day at once). */
function dailyPoint(day: number, completion: number): DetectorPoint {
  return {
    projectId: 'p1',
    slice: OVERALL_SLICE,
    windowStart: T0 + day * DAY_MS,
    windowEnd: T0 + (day + 1) * DAY_MS,
    revision: 0,
    traceCount: 5_000,
    values: { completion_rate: completion },
  };
}

function trendStatuses(points: DetectorPoint[]): { day: number; status: PointStatus }[] {
  const engine = new DetectorEngine();
  const state = createDetectorState();
  return points.flatMap((p, day) =>
    engine
      .apply(state, p)
      .statuses.filter((s) => s.detector !== 'fast_page')
      .map((status) => ({ day, status })),
  );
}

describe('slow trend on daily points', () => {
  it.each([1, 2, 3, 4, 5])(
    'a steady 2%%/week decline after four flat weeks warns within 14 days (seed %i)',
    (seed) => {
      const noise = gaussian(seed);
      const start = 28;
      const points = Array.from({ length: start + 21 }, (_, d) => {
        const level = d < start ? 0.9 : 0.9 * (1 - (0.02 * (d - start)) / 7);
        return dailyPoint(d, level + 0.005 * noise());
      });
      const found = trendStatuses(points);
      const first = found.find((f) => f.status.detector === 'trend');
      expect(first).toBeDefined();
      expect(first!.status).toMatchObject({ metric: 'completion_rate', severity: 'warning' });
      expect(first!.day).toBeGreaterThanOrEqual(start);
      expect(first!.day - start).toBeLessThan(14);
      // Nothing at all before the decline, and the EWMA chart alone would not have caught it.
      expect(found.filter((f) => f.day < start)).toEqual([]);
    },
  );

  // σ = 0.005 is the binomial noise of a 0.9 rate over ~4,000 traces a day (and the decline's).
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('a flat noisy year never fires (seed %i)', (seed) => {
    const noise = gaussian(100 + seed);
    const points = Array.from({ length: 365 }, (_, d) => dailyPoint(d, 0.9 + 0.005 * noise()));
    expect(trendStatuses(points)).toEqual([]);
  });
});

const WEEKDAY_MIX = { faq: 0.6, code: 0.3, billing: 0.1 };
const MONDAY_MIX = { faq: 0.3, code: 0.6, billing: 0.1 };

function hourPoints(hour: number, mix: Record<string, number>): DetectorPoint[] {
  return Object.entries(mix).map(([value, share]) => ({
    projectId: 'p1',
    slice: { dimension: 'task_type', value } as Slice,
    windowStart: T0 + hour * HOUR_MS,
    windowEnd: T0 + (hour + 1) * HOUR_MS,
    revision: 0,
    traceCount: Math.round(share * 1_000),
    values: {},
  }));
}

/** Runs hourly task-type windows; returns drift statuses keyed by the hour they scored. */
function driftByHour(mixOfHour: (hour: number) => Record<string, number>, hours: number) {
  const engine = new DetectorEngine();
  const state = createDetectorState();
  const found: { hour: number; status: PointStatus }[] = [];
  for (let h = 0; h <= hours; h++) {
    for (const p of hourPoints(h, mixOfHour(h))) {
      for (const status of engine.apply(state, p).statuses) {
        if (status.detector === 'drift') found.push({ hour: h - 1, status });
      }
    }
  }
  return found;
}

const isMonday = (hour: number) => Math.floor(hour / 24) % 7 === 0; // T0 is a Monday

describe('traffic drift (same hour of the week baseline)', () => {
  it('a Monday mix that earlier Mondays share is not flagged; the same mix on a Wednesday is', () => {
    const weeks = 4;
    const wednesdayHour = (weeks - 1) * 168 + 2 * 24 + 10;
    const found = driftByHour(
      (h) => (isMonday(h) || h === wednesdayHour ? MONDAY_MIX : WEEKDAY_MIX),
      weeks * 168,
    );
    // Week 1 has no history: the trailing-day fallback flags the switches (Tuesday 00:00, …).
    const afterFirstWeek = found.filter((f) => f.hour >= 168);
    expect(afterFirstWeek.map((f) => f.hour)).toEqual([wednesdayHour]);
    expect(afterFirstWeek[0].status).toMatchObject({
      metric: 'traffic_share',
      severity: 'warning',
      slice: { dimension: 'task_type', value: 'code' },
    });
    // PSI of a 0.6/0.3 swap: 2 × 0.3 × ln 2.
    expect(afterFirstWeek[0].status.value).toBeCloseTo(0.6 * Math.log(2), 6);
    // And week 1 (no history) is scored against the trailing day.
    expect(found.some((f) => f.hour === 24)).toBe(true);
  });

  it('a moderate shift is info, and a shift names the values that moved most', () => {
    const engine = new DetectorEngine();
    const state = createDetectorState();
    const feed = (h: number, mix: Record<string, number>) =>
      hourPoints(h, mix).flatMap((p) => engine.apply(state, p).alerts);
    for (let h = 0; h < 24; h++) feed(h, WEEKDAY_MIX);
    feed(24, { faq: 0.45, code: 0.45, billing: 0.1 }); // PSI ≈ 0.103
    const alerts = feed(25, WEEKDAY_MIX);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ severity: 'info', state: 'firing', metric: 'traffic_share' });
    expect(alerts[0].message).toMatch(
      /task_type shifted \(PSI 0\.10\d+, JS 0\.\d+ vs trailing day\)/,
    );
    expect(alerts[0].message).toContain('code 30.0%→45.0%');
  });

  it('a growing share of refused traces is its own (adversarial) rule', () => {
    const engine = new DetectorEngine();
    const state = createDetectorState();
    const hour = (h: number, flagged: number) =>
      engine.apply(state, {
        projectId: 'p1',
        slice: OVERALL_SLICE,
        windowStart: T0 + h * HOUR_MS,
        windowEnd: T0 + (h + 1) * HOUR_MS,
        revision: 0,
        traceCount: 1_000,
        flaggedCount: flagged,
        values: {},
      });
    for (let h = 0; h < 24; h++) hour(h, 10);
    hour(24, 60); // 6% vs 1%
    const scored = hour(25, 10);
    expect(scored.alerts).toHaveLength(1);
    expect(scored.alerts[0]).toMatchObject({
      metric: 'llm_refusal_rate',
      severity: 'warning',
      current_value: 0.06,
      baseline: 0.01,
    });
    expect(WEEK_MS).toBe(168 * HOUR_MS);
  });
});

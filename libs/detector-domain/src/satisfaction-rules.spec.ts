import { AlertSchema, type ChartRule, type MetricWindow } from '@agentmon/contracts';
import { makeMetricWindow } from '@agentmon/testing';
import { DetectorEngine, evaluateChartRule, type ApplyResult } from './engine';
import { pointFromMetricWindow } from './point';
import { createDetectorState } from './state';
import { MINUTE, T0 } from './test-points';

/** Default rules and settings (λ 0.2, 5 warm-up windows, min samples 30): what runs live. */
function run(windows: MetricWindow[]) {
  const engine = new DetectorEngine();
  const state = createDetectorState();
  return windows.map((w) => engine.apply(state, pointFromMetricWindow(w)));
}

const window = (i: number, fields: Partial<MetricWindow>): MetricWindow =>
  makeMetricWindow({ window_start: T0 + i * MINUTE, ...fields });

/** Severity per window of the chart on one metric (null = inside the limits). */
const severities = (results: ApplyResult[], metric: string) =>
  results.map(
    (r) => r.statuses.find((s) => s.detector === 'chart' && s.metric === metric)?.severity ?? null,
  );

const firing = (results: ApplyResult[]) =>
  results.flatMap((r) => r.alerts).filter((a) => a.state === 'firing');

describe('satisfaction chart rules (on by default)', () => {
  it.each([
    // metric, field, baseline, after, severity per window after warm-up (EWMA λ 0.2)
    // 3×: EWMA 0.05 + 0.1·(1 − 0.8^k) reaches 1.5× (0.075) at k = 2, 2× (0.1) at k = 4.
    [
      'corrected_rate',
      'corrected_rate',
      0.05,
      0.15,
      [null, 'warning', 'warning', 'critical', 'critical'],
    ],
    [
      'abandoned_rate',
      'abandoned_rate',
      0.05,
      0.15,
      [null, 'warning', 'warning', 'critical', 'critical'],
    ],
    // 2×: the EWMA reaches 1.5× at k = 4 and approaches 2× without reaching it.
    [
      'corrected_rate doubled',
      'corrected_rate',
      0.05,
      0.1,
      [null, null, null, 'warning', 'warning'],
    ],
    // index 0.7 → 0.4: EWMA drop 0.3·(1 − 0.8^k) ≥ 0.1 at k = 2, ≥ 0.2 at k = 5.
    [
      'satisfaction_index',
      'satisfaction_index',
      0.7,
      0.4,
      [null, 'warning', 'warning', 'warning', 'critical'],
    ],
  ] as const)('%s', (_name, metric, baseline, after, expected) => {
    const windows = Array.from({ length: 10 }, (_, i) =>
      window(i, { [metric]: i < 5 ? baseline : after }),
    );
    const results = run(windows);
    expect(severities(results, metric).slice(5)).toEqual(expected);
    const alerts = firing(results);
    expect(alerts.every((a) => a.metric === metric)).toBe(true);
    for (const a of alerts) expect(AlertSchema.safeParse(a).success).toBe(true);
    expect(alerts.map((a) => a.severity)).toEqual(
      metric === 'corrected_rate' && after === 0.1 ? ['warning'] : ['warning', 'critical'],
    );
  });

  it('the min-samples guard: 20-trace windows neither warm up nor alert', () => {
    const windows = Array.from({ length: 12 }, (_, i) =>
      window(i, {
        trace_count: 20,
        completed_count: 18,
        strong_completed_count: 16,
        corrected_rate: i < 5 ? 0.05 : 0.25,
      }),
    );
    const results = run(windows);
    expect(severities(results, 'corrected_rate').every((s) => s === null)).toBe(true);
    expect(firing(results)).toEqual([]);
  });

  it('a zero baseline never alerts on a ratio (no multiple of nothing)', () => {
    const windows = Array.from({ length: 10 }, (_, i) =>
      window(i, { corrected_rate: i < 5 ? 0 : 0.2 }),
    );
    expect(firing(run(windows))).toEqual([]);
  });
});

describe('positive share: alerts only when the Wilson interval says the drop is real', () => {
  /** A window with `positive` of `rated` positive and the hand-computed Wilson bounds. */
  const rated = (
    i: number,
    positive: number,
    total: number,
    [low, high]: [number, number],
  ): MetricWindow =>
    window(i, {
      rating_positive_count: positive,
      rating_negative_count: total - positive,
      rating_coverage: total / 100,
      positive_share: positive / total,
      positive_share_low: low,
      positive_share_high: high,
    });

  const warmUp = () => Array.from({ length: 5 }, (_, i) => rated(i, 32, 40, [0.6524, 0.895]));

  it('0.8 → 0.5 on 10 ratings: upper bound 0.763 is above 0.75, no alert', () => {
    const results = run([...warmUp(), rated(5, 5, 10, [0.2366, 0.7634])]);
    expect(severities(results, 'positive_share')).toEqual(Array(6).fill(null));
    expect(firing(results)).toEqual([]);
    // The same point drop on a plain `drop` chart would have paged on 10 ratings.
    const plain: ChartRule = {
      metric: 'positive_share',
      kind: 'drop',
      warning: 0.05,
      critical: 0.1,
      enabled: true,
    };
    expect(evaluateChartRule(plain, 0.5, 0.8).severity).toBe('critical');
  });

  it.each([
    // ratings, bounds, severity: baseline 0.8; warning when high ≤ 0.75, critical when ≤ 0.70
    ['24 of 40 (0.6): high 0.7365', 24, [0.446, 0.7365], 'warning'],
    ['20 of 40 (0.5): high 0.648', 20, [0.352, 0.648], 'critical'],
  ] as const)('%s → %s', (_name, positive, bounds, severity) => {
    const results = run([...warmUp(), rated(5, positive, 40, [...bounds])]);
    const status = results[5]!.statuses.find((s) => s.metric === 'positive_share');
    expect(status).toMatchObject({ severity, value: bounds[1], baseline: 0.8 });
    expect(status!.threshold).toBeCloseTo(0.75, 12);
    const [alert] = firing(results);
    expect(alert).toMatchObject({ metric: 'positive_share', severity });
    expect(alert!.message).toContain('95% interval');
    expect(AlertSchema.safeParse(alert).success).toBe(true);
  });

  it('one rating per window (a small slice at 3 % coverage) is too few samples to chart', () => {
    // Seen in the demo: faq's windows of 37 traces held one rating each; five positive ones made
    // a baseline of 1, and one negative rating ([0, 0.79]) paged critical. The min-samples guard
    // counts ratings for positive_share, not traces.
    const one = (i: number, positive: boolean): MetricWindow => ({
      ...rated(i, positive ? 1 : 0, 1, positive ? [0.2065, 1] : [0, 0.7935]),
      trace_count: 37,
    });
    const results = run([...Array.from({ length: 5 }, (_, i) => one(i, true)), one(5, false)]);
    expect(severities(results, 'positive_share')).toEqual(Array(6).fill(null));
    expect(firing(results)).toEqual([]);
  });

  it('windows without ratings do not move the chart', () => {
    const results = run([...warmUp(), window(5, {}), window(6, {})]);
    expect(firing(results)).toEqual([]);
  });

  it.each([
    ['no bound: never fires', null, null],
    ['bound just above baseline − warning', 0.7501, null],
    ['bound at baseline − warning', 0.75, 'warning'],
    ['bound at baseline − critical', 0.7, 'critical'],
  ] as const)('evaluateChartRule interval_drop: %s', (_name, high, severity) => {
    const rule: ChartRule = {
      metric: 'positive_share',
      kind: 'interval_drop',
      warning: 0.05,
      critical: 0.1,
      enabled: true,
    };
    expect(evaluateChartRule(rule, 0.4, 0.8, high).severity).toBe(severity);
  });
});

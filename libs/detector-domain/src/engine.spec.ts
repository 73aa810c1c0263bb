import { AlertSchema, DetectorRulesFileSchema, type ChartRule } from '@agentmon/contracts';
import {
  DetectorEngine,
  evaluateChartRule,
  stepTrack,
  type ApplyResult,
  type DetectorEngineOptions,
} from './engine';
import type { DetectorPoint } from './point';
import { createDetectorState, deserializeDetectorState, serializeDetectorState } from './state';
import { MINUTE, minutePoint, T0 } from './test-points';

const K1: DetectorEngineOptions = { settings: { warmupWindows: 1 } };
/** Charts alone: the fast page would otherwise join in on the steep steps these series take. */
const NO_FAST = DetectorRulesFileSchema.parse({ fast_page: { enabled: false } });
const CHARTS: DetectorEngineOptions = { settings: { warmupWindows: 1 }, rules: NO_FAST };

function run(points: DetectorPoint[], options: DetectorEngineOptions = CHARTS) {
  const engine = new DetectorEngine(options);
  const state = createDetectorState();
  const results = points.map((p) => engine.apply(state, p));
  return { engine, state, results };
}

/** Highest chart severity per point for one metric (null when inside the limits). */
function chartSeverities(results: ApplyResult[], metric = 'completion_rate') {
  return results.map(
    (r) => r.statuses.find((s) => s.detector === 'chart' && s.metric === metric)?.severity ?? null,
  );
}

const completion = (values: number[], traceCount: number | null = 100) =>
  values.map((v, i) => minutePoint(i, { completion_rate: v }, { traceCount }));

describe('evaluateChartRule', () => {
  const rule = (kind: ChartRule['kind'], warning: number, critical: number): ChartRule => ({
    metric: 'completion_rate',
    kind,
    warning,
    critical,
    enabled: true,
  });
  it.each([
    ['drop: inside', rule('drop', 0.05, 0.1), 0.86, 0.9, null, 0.85],
    ['drop: exactly 0.05 (float-safe)', rule('drop', 0.05, 0.1), 0.85, 0.9, 'warning', 0.85],
    ['drop: exactly 0.10', rule('drop', 0.05, 0.1), 0.8, 0.9, 'critical', 0.85],
    ['rise: above', rule('rise', 0.05, 0.1), 0.27, 0.2, 'warning', 0.25],
    ['ratio: 1.49×', rule('ratio', 1.5, 2), 1490, 1000, null, 1500],
    ['ratio: 1.5×', rule('ratio', 1.5, 2), 1500, 1000, 'warning', 1500],
    ['ratio: 2×', rule('ratio', 1.5, 2), 2000, 1000, 'critical', 1500],
    ['ratio: zero baseline is never evaluated', rule('ratio', 1.5, 2), 5, 0, null, 0],
    ['level: 0.049', rule('level', 0.05, 0.1), 0.049, 0.001, null, 0.05],
    ['level: 0.05 regardless of baseline', rule('level', 0.05, 0.1), 0.05, 0.2, 'warning', 0.05],
    ['level: 0.1', rule('level', 0.05, 0.1), 0.1, 0, 'critical', 0.05],
  ])('%s', (_name, r, ewma, baseline, severity, threshold) => {
    const e = evaluateChartRule(r, ewma, baseline);
    expect(e.severity).toBe(severity);
    expect(e.threshold).toBeCloseTo(threshold, 9);
  });
});

describe('stepTrack (resolve and escalation hysteresis, resolveWindows = 2)', () => {
  it.each([
    ['fires at once', [null, 'warning'], ['-', 'firing:warning']],
    [
      'resolves after two windows inside',
      ['warning', null, null],
      ['firing:warning', '-', 'resolved:warning'],
    ],
    [
      'one calm window then beyond again keeps firing',
      ['warning', null, 'warning', null, null],
      ['firing:warning', '-', '-', '-', 'resolved:warning'],
    ],
    [
      'escalates at once, de-escalates after two calmer windows',
      ['warning', 'critical', 'warning', 'warning', null, null],
      ['firing:warning', 'firing:critical', '-', 'firing:warning', '-', 'resolved:warning'],
    ],
    [
      'critical straight to resolved',
      ['critical', null, null],
      ['firing:critical', '-', 'resolved:critical'],
    ],
  ] as const)('%s', (_name, severities, expected) => {
    const track = { severity: null, calm: 0 };
    const got = severities.map((s) => {
      const c = stepTrack(track, s, 2);
      return c ? `${c.state}:${c.severity}` : '-';
    });
    expect(got).toEqual(expected);
  });
});

describe('DetectorEngine control charts (hand-computed, λ = 0.2)', () => {
  it('K = 1 takes the first value as baseline; EWMA 0.82 warns, 0.756 is critical', () => {
    const { state, results } = run(completion([0.9, 0.5, 0.5]));
    expect(chartSeverities(results)).toEqual([null, 'warning', 'critical']);
    expect(state.series['p1|all=*'].charts.completion_rate.ewma).toBeCloseTo(0.756, 12);
    expect(results[1].statuses[0]).toMatchObject({
      value: expect.closeTo(0.82, 12),
      baseline: 0.9,
    });
  });

  it('warm-up: baseline = mean of the first K windows, no alert while warming up', () => {
    const { state, results } = run(completion([0.2, 0.9, 1.0, 0.8, 0.4]), {
      settings: { warmupWindows: 4 },
      rules: NO_FAST,
    });
    expect(chartSeverities(results)).toEqual([null, null, null, null, 'warning']);
    const core = state.series['p1|all=*'].charts.completion_rate;
    expect(core.baseline).toBeCloseTo(0.725, 12);
    expect(core.ewma).toBeCloseTo(0.2 * 0.4 + 0.8 * 0.725, 12);
  });

  it('windows below min samples neither update the chart, count for warm-up nor alert', () => {
    const points = [
      minutePoint(0, { completion_rate: 0.1 }, { traceCount: 29 }),
      minutePoint(1, { completion_rate: 0.9 }, { traceCount: 30 }),
      minutePoint(2, { completion_rate: 0.0 }, { traceCount: 5 }),
      minutePoint(3, { completion_rate: 0.0 }, { traceCount: 5 }),
    ];
    const { state, results } = run(points);
    expect(chartSeverities(results)).toEqual([null, null, null, null]);
    expect(results.flatMap((r) => r.alerts)).toEqual([]);
    expect(state.series['p1|all=*'].charts.completion_rate).toMatchObject({
      baseline: 0.9,
      ewma: 0.9,
    });
  });

  it('an absent trace count counts as enough samples', () => {
    const { results } = run(completion([0.9, 0.5], null));
    expect(chartSeverities(results)).toEqual([null, 'warning']);
  });

  it.each([
    // EWMA 1000 → 1400 → 1720 → 2376
    ['latency_p95_ms', [1000, 3000, 3000, 5000], [null, null, 'warning', 'critical']],
    // EWMA 1000 → 1140 → 1512 → 1810 → 2048
    ['cost_avg_usd', [1, 1.7, 3, 3, 3], [null, null, 'warning', 'warning', 'critical']],
    // error rate level: EWMA 0 → 0.06 → 0.108
    ['error_rate', [0, 0.3, 0.3], [null, 'warning', 'critical']],
    // off by default
    ['latency_p99_ms', [1000, 9000, 9000], [null, null, null]],
  ] as const)('%s', (metric, values, expected) => {
    const { results } = run(values.map((v, i) => minutePoint(i, { [metric]: v })));
    expect(chartSeverities(results, metric)).toEqual(expected);
  });

  it('emits firing, escalation, de-escalation and resolve as schema-valid alerts', () => {
    // EWMA from 0.9: 0.82 (W) 0.756 (C) 0.7848 (C) 0.80784 (W) 0.826 (W) 0.8408 (W) 0.8727 (ok) 0.898 (ok)
    const { results } = run(completion([0.9, 0.5, 0.5, 0.9, 0.9, 0.9, 0.9, 1.0, 1.0]));
    const changes = results.map((r) =>
      r.alerts
        .filter((a) => a.fingerprint.startsWith('chart:'))
        .map((a) => `${a.state}:${a.severity}`),
    );
    expect(changes).toEqual([
      [],
      ['firing:warning'],
      ['firing:critical'],
      [],
      [],
      ['firing:warning'],
      [],
      [],
      ['resolved:warning'],
    ]);
    const alerts = results.flatMap((r) => r.alerts);
    for (const a of alerts) expect(AlertSchema.parse(a)).toEqual(a);
    expect(new Set(alerts.map((a) => a.fingerprint)).size).toBe(1);
    expect(new Set(alerts.map((a) => a.alert_id)).size).toBe(alerts.length);
    expect(alerts[0]).toMatchObject({
      project_id: 'p1',
      metric: 'completion_rate',
      slice: { dimension: 'all', value: '*' },
      baseline: 0.9,
      threshold: expect.closeTo(0.85, 12),
      time: T0 + 2 * MINUTE,
      window_start: T0 + MINUTE,
      window_end: T0 + 2 * MINUTE,
    });
  });

  it('alert ids and fingerprints are deterministic across runs', () => {
    const points = completion([0.9, 0.5, 0.5, 0.9, 0.9, 0.9]);
    expect(run(points).results).toEqual(run(points).results);
  });

  it('series are independent per project and slice', () => {
    const faq = { dimension: 'task_type', value: 'faq' } as const;
    const { results } = run([
      minutePoint(0, { completion_rate: 0.9 }),
      minutePoint(0, { completion_rate: 0.6 }, { slice: faq }),
      minutePoint(1, { completion_rate: 0.6 }, { slice: faq }),
      minutePoint(1, { completion_rate: 0.9 }),
      minutePoint(1, { completion_rate: 0.5 }, { projectId: 'p2' }),
    ]);
    expect(results.map((r) => r.statuses.length)).toEqual([0, 0, 0, 0, 0]);
  });
});

describe('fast page: completion down 10+ points within 10 minutes', () => {
  it('pages critical on the pooled drop while the EWMA is still only at warning', () => {
    // Baseline 0.9 (K = 1); then 0.78 for a few windows. Chart λ = 0.05 moves slowly.
    const values = [0.9, 0.78, 0.78, 0.78];
    const { results } = run(completion(values), { settings: { warmupWindows: 1, lambda: 0.05 } });
    const fast = results.map(
      (r) => r.statuses.find((s) => s.detector === 'fast_page')?.severity ?? null,
    );
    // Pooled (trace-weighted, all 100): 0.9 → 0.84 → 0.82 → 0.81: not yet 10 points down.
    expect(fast).toEqual([null, null, null, null]);
    const more = run(
      completion([0.9, 0.78, 0.78, 0.78, 0.78, 0.78, 0.78, 0.78, 0.78, 0.78, 0.78, 0.78]),
      {
        settings: { warmupWindows: 1, lambda: 0.05 },
      },
    );
    const fastMore = more.results.map(
      (r) => r.statuses.find((s) => s.detector === 'fast_page')?.severity ?? null,
    );
    // Pooled at i = 5: (0.9 + 5 × 0.78) / 6 = 0.80, a 0.10 drop; the EWMA is at 0.9 − 0.0271.
    expect(fastMore.indexOf('critical')).toBe(5);
    expect(chartSeverities(more.results).every((s) => s !== 'critical')).toBe(true);
    const page = more.results[5].alerts.find((a) => a.fingerprint.startsWith('fast_page:'));
    expect(page).toMatchObject({
      state: 'firing',
      severity: 'critical',
      metric: 'completion_rate',
    });
  });

  it('pools trace-weighted: a big window dominates small ones', () => {
    const points = [
      minutePoint(0, { completion_rate: 0.9 }, { traceCount: 1000 }),
      minutePoint(1, { completion_rate: 0.5 }, { traceCount: 1000 }),
      minutePoint(2, { completion_rate: 0.9 }, { traceCount: 40 }),
    ];
    const { results } = run(points, K1);
    const fast = results.map((r) => r.statuses.find((s) => s.detector === 'fast_page'));
    // (0.9·1000 + 0.5·1000) / 2000 = 0.7 → page; (…+0.9·40)/2040 = 0.7039 → still paging
    expect(fast[1]).toMatchObject({ severity: 'critical', value: expect.closeTo(0.7, 12) });
    expect(fast[2]).toMatchObject({ severity: 'critical', value: expect.closeTo(1436 / 2040, 12) });
  });
});

describe('idempotent apply per (series, window_start, revision)', () => {
  const p = (i: number, v: number, revision = 0) =>
    minutePoint(i, { completion_rate: v }, { revision });

  it('re-applying an applied point changes nothing', () => {
    const engine = new DetectorEngine(K1);
    const state = createDetectorState();
    engine.apply(state, p(0, 0.9));
    engine.apply(state, p(1, 0.5));
    const before = serializeDetectorState(state);
    expect(engine.apply(state, p(1, 0.5))).toEqual({
      outcome: 'duplicate',
      alerts: [],
      statuses: [],
    });
    expect(engine.apply(state, p(1, 0.1))).toMatchObject({ outcome: 'duplicate' });
    expect(engine.apply(state, p(0, 0.9, 3))).toMatchObject({ outcome: 'stale' });
    expect(serializeDetectorState(state)).toBe(before);
  });

  it('a higher revision of the latest window replaces it (recomputed from the state before)', () => {
    const engine = new DetectorEngine(CHARTS);
    const state = createDetectorState();
    engine.apply(state, p(0, 0.9));
    const r0 = engine.apply(state, p(1, 0.5));
    expect(r0.alerts.map((a) => a.state)).toEqual(['firing']);
    const r1 = engine.apply(state, p(1, 0.88, 1));
    expect(r1.outcome).toBe('replaced');
    expect(r1.statuses).toEqual([]);
    expect(r1.alerts).toEqual([]); // published firing is not retracted; it resolves normally
    expect(state.series['p1|all=*'].charts.completion_rate.ewma).toBeCloseTo(
      0.2 * 0.88 + 0.8 * 0.9,
      12,
    );
    const straight = run([p(0, 0.9), p(1, 0.88)]).state.series['p1|all=*'].charts;
    expect(state.series['p1|all=*'].charts).toEqual(straight);
    // Second calm window resolves.
    expect(engine.apply(state, p(2, 0.9)).alerts.map((a) => a.state)).toEqual(['resolved']);
  });

  it('state survives a JSON round trip mid-stream with identical results', () => {
    const points = completion([0.9, 0.9, 0.5, 0.5, 0.9, 0.9, 0.9, 0.9, 0.9]);
    const straight = run(points, K1).results;
    const engine = new DetectorEngine(K1);
    let state = createDetectorState();
    const split = points.map((pt) => {
      const r = engine.apply(state, pt);
      state = deserializeDetectorState(serializeDetectorState(state));
      return r;
    });
    expect(split).toEqual(straight);
  });

  it('deserialize rejects foreign JSON', () => {
    expect(() => deserializeDetectorState('{"series":{}}')).toThrow(/version 1/);
  });
});

describe('baseline reset', () => {
  it('restarts warm-up from the given window and resolves what fired on the old baseline', () => {
    const engine = new DetectorEngine({ settings: { warmupWindows: 2 }, rules: NO_FAST });
    const state = createDetectorState();
    const apply = (i: number, v: number) =>
      engine.apply(state, minutePoint(i, { completion_rate: v }));
    apply(0, 0.9);
    apply(1, 0.9);
    expect(apply(2, 0.5).alerts.map((a) => `${a.state}:${a.severity}`)).toEqual(['firing:warning']);
    expect(engine.resetBaseline(state, { from: T0 + 4 * MINUTE, metric: 'completion_rate' })).toBe(
      1,
    );
    expect(apply(3, 0.5).statuses.length).toBe(1); // before `from`: old baseline still in force
    const atReset = apply(4, 0.5);
    expect(atReset.alerts.map((a) => `${a.state}:${a.severity}`)).toEqual(['resolved:critical']);
    expect(atReset.statuses).toEqual([]);
    expect(apply(5, 0.5).statuses).toEqual([]); // second warm-up window → new baseline 0.5
    expect(state.series['p1|all=*'].charts.completion_rate.baseline).toBe(0.5);
    expect(apply(6, 0.5).statuses).toEqual([]);
  });

  it('is scoped by project, slice and metric', () => {
    const engine = new DetectorEngine(K1);
    const state = createDetectorState();
    const faq = { dimension: 'task_type', value: 'faq' } as const;
    engine.apply(state, minutePoint(0, { completion_rate: 0.9, error_rate: 0 }));
    engine.apply(state, minutePoint(0, { completion_rate: 0.9 }, { slice: faq }));
    engine.apply(state, minutePoint(0, { completion_rate: 0.9 }, { projectId: 'p2' }));
    expect(engine.resetBaseline(state, { from: 0, projectId: 'p1', slice: faq })).toBe(1);
    expect(Object.keys(state.series['p1|task_type=faq'].resets)).toEqual(['completion_rate']);
    expect(engine.resetBaseline(state, { from: 0, projectId: 'p1', metric: 'error_rate' })).toBe(2);
    expect(state.series['p1|all=*'].resets).toEqual({ error_rate: 0 });
    expect(state.series['p2|all=*'].resets).toEqual({});
  });
});

import {
  generateTraffic,
  REGRESSED_TASK_TYPE,
  SCENARIOS,
  seededRandom,
  StratifiedOutcomes,
  traceCount,
  WeightedRoundRobin,
  type ScenarioName,
  type SimulatedTrace,
  type TrafficOptions,
} from './scenarios';

const START = Date.UTC(2026, 0, 5, 10, 0, 0);
const MINUTE = 60_000;

function run(scenario: ScenarioName, extra: Partial<TrafficOptions> = {}): SimulatedTrace[] {
  return [
    ...generateTraffic({
      scenario,
      startMs: START,
      durationMs: 20 * MINUTE,
      rate: 5,
      incidentAt: 0.5,
      seed: 7,
      runId: 'r1',
      ...extra,
    }),
  ];
}

/** Traces grouped by the minute they end in. */
function byMinute(traces: SimulatedTrace[]): SimulatedTrace[][] {
  const windows = new Map<number, SimulatedTrace[]>();
  for (const t of traces) {
    const w = Math.floor((t.endMs - START) / MINUTE);
    windows.set(w, [...(windows.get(w) ?? []), t]);
  }
  return [...windows.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

const rate = (traces: SimulatedTrace[], pick: (t: SimulatedTrace) => boolean = () => true) => {
  const chosen = traces.filter(pick);
  return chosen.filter((t) => t.completed).length / chosen.length;
};
const toolCalls = (t: SimulatedTrace) => t.steps.filter((s) => s.operation === 'tool_call');
const errorRate = (traces: SimulatedTrace[]) => {
  const calls = traces.flatMap(toolCalls);
  return calls.filter((c) => c.error).length / calls.length;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const tokens = (t: SimulatedTrace) =>
  t.steps.reduce((sum, s) => sum + (s.inputTokens ?? 0) + (s.outputTokens ?? 0), 0);

describe('simulate scenarios', () => {
  it('is deterministic for a seed and run id, and differs with another seed', () => {
    expect(run('healthy')).toEqual(run('healthy'));
    const other = run('healthy', { seed: 8 });
    expect(other.map((t) => t.endMs - t.startMs)).not.toEqual(
      run('healthy').map((t) => t.endMs - t.startMs),
    );
    expect(new Set(run('healthy').map((t) => t.traceId)).size).toBe(
      traceCount({ durationMs: 20 * MINUTE, rate: 5 }),
    );
    expect(run('healthy', { runId: 'r2' })[0].traceId).not.toBe(run('healthy')[0].traceId);
  });

  it('spaces end times by the rate inside the run, spans inside their trace', () => {
    const traces = run('healthy');
    expect(traces).toHaveLength(6000);
    expect(traces[0].endMs).toBe(START + 100);
    expect(traces.at(-1)!.endMs).toBeLessThan(START + 20 * MINUTE);
    for (const window of byMinute(traces)) expect(window).toHaveLength(300);
    for (const t of traces.slice(0, 200)) {
      expect(t.startMs).toBeLessThan(t.endMs);
      for (const s of t.steps) {
        expect(s.startMs).toBeGreaterThanOrEqual(t.startMs);
        expect(s.endMs).toBeLessThanOrEqual(t.endMs);
      }
      expect(t.finalOutput !== undefined).toBe(t.completed);
    }
  });

  it('healthy: every slice completes 90% — off by under one trace per stratum in a minute, under 0.025 over 5 minutes', () => {
    const windows = byMinute(run('healthy'));
    for (const [i, window] of windows.entries()) {
      const five = windows.slice(i, i + 5).flat();
      for (const key of ['taskType', 'platform', 'userSegment'] as const) {
        for (const value of new Set(window.map((t) => t[key]))) {
          const pick = (t: SimulatedTrace) => t[key] === value;
          const chosen = window.filter(pick);
          const strata = new Set(chosen.map((t) => `${t.taskType}|${t.platform}|${t.userSegment}`));
          expect(Math.abs(rate(window, pick) - 0.9)).toBeLessThan(strata.size / chosen.length);
          const pooled = five.filter(pick);
          const pooledStrata = new Set(
            pooled.map((t) => `${t.taskType}|${t.platform}|${t.userSegment}`),
          );
          expect(Math.abs(rate(five, pick) - 0.9)).toBeLessThan(
            Math.min(0.025, pooledStrata.size / pooled.length),
          );
        }
      }
    }
  });

  it('keeps the task mix exact per minute (bug_fix is 1/8 of traffic: ≥ 30 traces a minute at 5/s)', () => {
    for (const window of byMinute(run('healthy'))) {
      const bugFix = window.filter((t) => t.taskType === REGRESSED_TASK_TYPE).length;
      expect(bugFix).toBeGreaterThanOrEqual(37);
      expect(bugFix).toBeLessThanOrEqual(38);
    }
  });

  it('completion-regression: only bug_fix drops (0.9 → 0.6) after the incident; overall stays within 0.05', () => {
    const windows = byMinute(run('completion-regression'));
    const after = windows.slice(10).flat();
    const before = windows.slice(0, 10).flat();
    const near = (value: number, expected: number) =>
      expect(Math.abs(value - expected)).toBeLessThan(0.01);
    near(
      rate(before, (t) => t.taskType === REGRESSED_TASK_TYPE),
      0.9,
    );
    near(
      rate(after, (t) => t.taskType === REGRESSED_TASK_TYPE),
      0.6,
    );
    near(
      rate(after, (t) => t.taskType !== REGRESSED_TASK_TYPE),
      0.9,
    );
    for (const window of windows.slice(10)) {
      expect(0.9 - rate(window)).toBeLessThan(0.05);
      for (const platform of ['web', 'ide']) {
        expect(0.9 - rate(window, (t) => t.platform === platform)).toBeLessThan(0.05);
      }
    }
  });

  it('latency-spike triples session durations after the incident', () => {
    const traces = run('latency-spike');
    const d = (ts: SimulatedTrace[]) => mean(ts.map((t) => t.endMs - t.startMs));
    expect(d(traces.slice(3000)) / d(traces.slice(0, 3000))).toBeCloseTo(3, 0);
  });

  it('cost-spike swaps the model and triples tokens per session', () => {
    const traces = run('cost-spike');
    expect(new Set(traces.slice(0, 3000).map((t) => t.modelVersion))).toEqual(
      new Set(['claude-sonnet-4']),
    );
    expect(new Set(traces.slice(3000).map((t) => t.modelVersion))).toEqual(
      new Set(['claude-opus-4']),
    );
    const ratio = mean(traces.slice(3000).map(tokens)) / mean(traces.slice(0, 3000).map(tokens));
    expect(ratio).toBeCloseTo(3, 0);
  });

  it('tool-failure-burst: 30% of tool calls fail for a tenth of the run, then back to 1%', () => {
    const traces = run('tool-failure-burst');
    const burst = traces.filter((t) => t.index >= 3000 && t.index < 3600);
    expect(errorRate(traces.slice(0, 3000))).toBeCloseTo(0.01, 2);
    expect(errorRate(burst)).toBeCloseTo(0.3, 2);
    expect(errorRate(traces.slice(3600))).toBeCloseTo(0.01, 2);
    expect(rate(burst)).toBeLessThan(rate(traces.slice(0, 3000)) - 0.05);
  });

  it('task-mix-shift moves traffic toward faq', () => {
    const traces = run('task-mix-shift');
    const share = (ts: SimulatedTrace[]) =>
      ts.filter((t) => t.taskType === 'faq').length / ts.length;
    expect(share(traces.slice(0, 3000))).toBeCloseTo(1 / 8, 2);
    expect(share(traces.slice(3000))).toBeCloseTo(8 / 12, 2);
  });

  it('weekly-decline loses 2 points of completion per week', () => {
    const traces = run('weekly-decline', { durationMs: 28 * 24 * 3600_000, rate: 0.01 });
    const weeks = [0, 1, 2, 3].map((w) =>
      rate(traces.filter((t) => Math.floor((t.endMs - START) / (7 * 24 * 3600_000)) === w)),
    );
    expect(weeks[0] - weeks[3]).toBeCloseTo(0.06, 2);
  });

  it('names the bad field of invalid options', () => {
    const bad = (extra: Partial<TrafficOptions>) => () => run('healthy', extra);
    expect(bad({ rate: 0 })).toThrow(/^rate:/);
    expect(bad({ durationMs: -1 })).toThrow(/^duration:/);
    expect(bad({ incidentAt: 2 })).toThrow(/^incident-at:/);
    expect(bad({ scenario: 'nope' as ScenarioName })).toThrow(/^scenario: unknown "nope"/);
    expect(SCENARIOS).toHaveLength(7);
  });
});

describe('stratified outcomes and weighted round robin', () => {
  it('hits the probability within one draw over any stretch', () => {
    const outcomes = new StratifiedOutcomes();
    const draws = Array.from({ length: 1000 }, () => outcomes.draw('k', 0.3));
    for (let start = 0; start < 900; start += 37) {
      const hits = draws.slice(start, start + 100).filter(Boolean).length;
      expect(Math.abs(hits - 30)).toBeLessThanOrEqual(1);
    }
  });

  it('staggers strata so a rare outcome does not hit every stratum at once', () => {
    const staggered = new StratifiedOutcomes(seededRandom(1));
    const lockstep = new StratifiedOutcomes();
    const firstHit = (o: StratifiedOutcomes, key: string) => {
      for (let i = 1; ; i += 1) if (o.draw(key, 0.01)) return i;
    };
    const keys = ['a', 'b', 'c', 'd'];
    expect(new Set(keys.map((k) => firstHit(lockstep, k))).size).toBe(1);
    expect(new Set(keys.map((k) => firstHit(staggered, k))).size).toBe(4);
  });

  it('picks by weight, interleaved', () => {
    const rr = new WeightedRoundRobin();
    const picks = Array.from({ length: 8 }, () => rr.pick({ a: 5, b: 1, c: 2 }));
    expect(picks.filter((p) => p === 'a')).toHaveLength(5);
    expect(picks.filter((p) => p === 'c')).toHaveLength(2);
    expect(() => rr.pick({ a: 0 })).toThrow(/weight 0/);
  });
});

describe('simulated user signals', () => {
  const traces = run('healthy');
  const share = (
    type: string,
    extra: (f: SimulatedTrace['feedback'][number]) => boolean = () => true,
  ) =>
    traces.filter((t) => t.feedback.some((f) => f.type === type && extra(f))).length /
    traces.length;

  it.each([
    ['rating', 0.03],
    ['user_correction', 0.08],
    ['accepted', 0.6],
    ['output_copied', 0.3],
    ['follow_up', 0.15],
  ])('%s on %p of traces', (type, expected) => {
    expect(Math.abs(share(type) - expected)).toBeLessThan(0.01);
  });

  it('rates 80 % of rated traces positive, never accepts a corrected answer, and signals after the end', () => {
    const positive = share('rating', (f) => 'rating' in f && f.rating === 'positive');
    expect(positive / share('rating')).toBeCloseTo(0.8, 1);
    for (const t of traces) {
      const types = t.feedback.map((f) => f.type);
      expect(types.includes('accepted') && types.includes('user_correction')).toBe(false);
      for (const f of t.feedback) expect(f.atMs).toBeGreaterThan(t.endMs);
    }
  });

  it('does not change with the scenario (a regression moves completion, not what users do)', () => {
    const regression = run('completion-regression');
    expect(regression.map((t) => t.feedback)).toEqual(traces.map((t) => t.feedback));
  });
});

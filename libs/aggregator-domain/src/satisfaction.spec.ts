import { MetricWindowSchema, type MetricWindow, type TraceSummary } from '@agentmon/contracts';
import { makeTraceSummary } from '@agentmon/testing';
import { HOUR_MS, mergePartials, rollupPartials } from './merge-partials';
import {
  DEFAULT_SATISFACTION_WEIGHTS,
  deriveSatisfaction,
  resolveSatisfactionWeights,
  satisfactionIndex,
  wilsonInterval,
  type SatisfactionCounts,
} from './satisfaction';
import { T0 } from './test/random-traces';
import { runAggregation } from './test/run-aggregation';

const counts = (c: Partial<SatisfactionCounts>): SatisfactionCounts => ({
  traceCount: 100,
  ratingPositive: 0,
  ratingNegative: 0,
  accepted: 0,
  corrected: 0,
  abandoned: 0,
  followUp: 0,
  copied: 0,
  ...c,
});

describe('wilsonInterval (95 %)', () => {
  it.each([
    // successes, n, low, high: hand-computed (see SATISFACTION.md)
    [3, 3, 0.4385, 1],
    [1, 1, 0.2065, 1],
    [8, 10, 0.4902, 0.9433],
    [50, 100, 0.4038, 0.5962],
    [90, 100, 0.8256, 0.9448],
    [30, 60, 0.3774, 0.6226],
    [0, 5, 0, 0.4345],
  ])('%i of %i → [%f, %f]', (successes, n, low, high) => {
    const interval = wilsonInterval(successes, n)!;
    expect(interval.low).toBeCloseTo(low, 4);
    expect(interval.high).toBeCloseTo(high, 4);
  });

  it('is null without ratings', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
  });

  it('narrows as ratings grow at the same share', () => {
    const widths = [10, 100, 1000].map((n) => {
      const i = wilsonInterval(0.8 * n, n)!;
      return i.high - i.low;
    });
    expect(widths[0]).toBeGreaterThan(widths[1]!);
    expect(widths[1]).toBeGreaterThan(widths[2]!);
  });
});

describe('satisfactionIndex', () => {
  const D = DEFAULT_SATISFACTION_WEIGHTS;
  it.each<[string, Partial<SatisfactionCounts>, typeof D, number | null]>([
    [
      'typical window: 50/70',
      { copied: 30, accepted: 50, followUp: 20, corrected: 5, abandoned: 5 },
      D,
      50 / 70,
    ],
    [
      'corrections doubled: 45/75',
      { copied: 30, accepted: 50, followUp: 20, corrected: 10, abandoned: 5 },
      D,
      45 / 75,
    ],
    [
      'corrections tripled: 40/80',
      { copied: 30, accepted: 50, followUp: 20, corrected: 15, abandoned: 5 },
      D,
      0.5,
    ],
    ['balanced', { accepted: 40, corrected: 10, abandoned: 10 }, D, 0],
    ['only corrections', { corrected: 10 }, D, -1],
    ['only copies', { copied: 7 }, D, 1],
    ['only follow-ups', { followUp: 3 }, D, 1],
    ['no signal', {}, D, null],
    ['no traces', { traceCount: 0 }, D, null],
    [
      'custom weights: (2·10 − 0.5·10) / (2·10 + 0.5·10)',
      { copied: 10, corrected: 10 },
      { ...D, copied: 2, corrected: -0.5 },
      0.6,
    ],
    [
      'all weights zero',
      { copied: 10, corrected: 10 },
      { copied: 0, accepted: 0, followUp: 0, corrected: 0, abandoned: 0 },
      null,
    ],
    [
      'scaling every weight leaves it unchanged',
      { copied: 30, accepted: 50, followUp: 20, corrected: 5, abandoned: 5 },
      { copied: 4, accepted: 2, followUp: 1, corrected: -4, abandoned: -4 },
      50 / 70,
    ],
  ])('%s', (_name, c, weights, expected) => {
    const index = satisfactionIndex(counts(c), weights);
    if (expected === null) expect(index).toBeNull();
    else expect(index).toBeCloseTo(expected, 12);
  });

  it('stays within [−1, 1] for any weights and counts', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 500; i++) {
      const w = {
        copied: next() * 20 - 10,
        accepted: next() * 20 - 10,
        followUp: next() * 20 - 10,
        corrected: next() * 20 - 10,
        abandoned: next() * 20 - 10,
      };
      const c = counts({
        copied: Math.floor(next() * 50),
        accepted: Math.floor(next() * 50),
        followUp: Math.floor(next() * 50),
        corrected: Math.floor(next() * 50),
        abandoned: Math.floor(next() * 50),
      });
      const index = satisfactionIndex(c, w);
      if (index !== null) {
        expect(index).toBeGreaterThanOrEqual(-1);
        expect(index).toBeLessThanOrEqual(1);
      }
    }
  });
});

describe('resolveSatisfactionWeights', () => {
  it('fills defaults and names a bad weight', () => {
    expect(resolveSatisfactionWeights({ copied: 2 })).toEqual({
      ...DEFAULT_SATISFACTION_WEIGHTS,
      copied: 2,
    });
    expect(() => resolveSatisfactionWeights({ corrected: Number.NaN })).toThrow(
      /satisfaction weight corrected must be a finite number/,
    );
  });
});

describe('deriveSatisfaction', () => {
  it('derives coverage, positive share with its interval and signal rates', () => {
    const f = deriveSatisfaction(
      counts({
        traceCount: 200,
        ratingPositive: 8,
        ratingNegative: 2,
        accepted: 100,
        corrected: 20,
        abandoned: 10,
        followUp: 30,
        copied: 40,
      }),
    );
    expect(f.rating_coverage).toBeCloseTo(10 / 200, 12);
    expect(f.positive_share).toBeCloseTo(0.8, 12);
    expect(f.positive_share_low).toBeCloseTo(0.4902, 4);
    expect(f.positive_share_high).toBeCloseTo(0.9433, 4);
    expect(f.accepted_rate).toBeCloseTo(0.5, 12);
    expect(f.corrected_rate).toBeCloseTo(0.1, 12);
    expect(f.abandoned_rate).toBeCloseTo(0.05, 12);
    expect(f.follow_up_rate).toBeCloseTo(0.15, 12);
    expect(f.copied_rate).toBeCloseTo(0.2, 12);
    // (40 + 50 + 7.5 − 20 − 10) / (40 + 50 + 7.5 + 20 + 10)
    expect(f.satisfaction_index).toBeCloseTo(67.5 / 127.5, 12);
  });

  it('leaves the share and its interval null when nobody rated', () => {
    const f = deriveSatisfaction(counts({ accepted: 5 }));
    expect(f).toMatchObject({
      rating_coverage: 0,
      positive_share: null,
      positive_share_low: null,
      positive_share_high: null,
      satisfaction_index: 1,
    });
  });
});

describe('satisfaction through the merge (hand-computed windows)', () => {
  const MIN = 60_000;
  const COMPUTED_AT = T0 + 10 * HOUR_MS;
  /** 20 traces in minute 0: 4 rated (3 positive), signals spread over two task types. */
  function traces(): TraceSummary[] {
    return Array.from({ length: 20 }, (_, i) => {
      const ended_at = T0 + 1_000 + i * 1_000;
      return makeTraceSummary({
        trace_id: `t${i}`,
        project_id: 'p',
        started_at: ended_at - 500,
        ended_at,
        duration_ms: 500,
        closed_at: ended_at + 100,
        task_type: i < 10 ? 'search' : 'code',
        rating: i < 3 ? 'positive' : i === 3 ? 'negative' : 'none',
        output_copied: i % 4 === 0, // 0 4 8 12 16 → search 3, code 2
        accepted: i % 2 === 0, // search 5, code 5
        follow_up: i === 5,
        corrected: i >= 16, // code 4
        abandoned: i === 9, // search 1
      });
    });
  }

  const windows = (): MetricWindow[] =>
    mergePartials(runAggregation(traces()), { computedAt: COMPUTED_AT });
  const slice = (ws: MetricWindow[], dimension: string, value: string) =>
    ws.find(
      (w) => w.slice.dimension === dimension && (dimension === 'all' || w.slice.value === value),
    )!;

  it.each([
    // slice, coverage, share, copied, accepted, follow-up, corrected, abandoned, index
    ['all', 'all', 0.2, 0.75, 5, 10, 1, 4, 1, (5 + 5 + 0.25 - 4 - 1) / (5 + 5 + 0.25 + 4 + 1)],
    ['task_type', 'search', 0.4, 0.75, 3, 5, 1, 0, 1, (3 + 2.5 + 0.25 - 1) / (3 + 2.5 + 0.25 + 1)],
    ['task_type', 'code', 0, null, 2, 5, 0, 4, 0, (2 + 2.5 - 4) / (2 + 2.5 + 4)],
  ])(
    '%s=%s',
    (
      dimension,
      value,
      coverage,
      share,
      copied,
      accepted,
      followUp,
      corrected,
      abandoned,
      index,
    ) => {
      const w = slice(windows(), dimension, value);
      expect(MetricWindowSchema.safeParse(w).success).toBe(true);
      expect(w.rating_coverage).toBeCloseTo(coverage, 12);
      if (share === null) expect(w.positive_share).toBeNull();
      else expect(w.positive_share).toBeCloseTo(share, 12);
      expect(w.output_copied_count).toBe(copied);
      expect(w.accepted_count).toBe(accepted);
      expect(w.follow_up_count).toBe(followUp);
      expect(w.corrected_count).toBe(corrected);
      expect(w.abandoned_count).toBe(abandoned);
      expect(w.corrected_rate).toBeCloseTo(corrected / w.trace_count, 12);
      expect(w.satisfaction_index).toBeCloseTo(index, 12);
    },
  );

  it('3 of 4 positive carries the Wilson interval, not 75 % alone', () => {
    const w = slice(windows(), 'all', 'all');
    const expected = wilsonInterval(3, 4)!;
    expect(w.positive_share_low).toBeCloseTo(expected.low, 12);
    expect(w.positive_share_high).toBeCloseTo(expected.high, 12);
    expect(w.positive_share_low).toBeCloseTo(0.3006, 4);
    expect(w.positive_share_high).toBeCloseTo(0.9544, 4);
  });

  it('uses the configured weights, and hourly rollups re-derive from sums', () => {
    const partials = runAggregation(traces());
    const weights = { ...DEFAULT_SATISFACTION_WEIGHTS, corrected: -2 };
    const [minute] = mergePartials(partials, {
      computedAt: COMPUTED_AT,
      satisfactionWeights: weights,
    });
    const [hour] = rollupPartials(partials, HOUR_MS, {
      computedAt: COMPUTED_AT,
      satisfactionWeights: weights,
    });
    const expected = (5 + 5 + 0.25 - 8 - 1) / (5 + 5 + 0.25 + 8 + 1);
    expect(minute!.satisfaction_index).toBeCloseTo(expected, 12);
    expect(hour!.window_size_ms).toBe(HOUR_MS);
    expect(hour!.satisfaction_index).toBeCloseTo(expected, 12);
    expect(hour!.corrected_count).toBe(4);
    expect(minute!.window_start).toBe(Math.floor(T0 / MIN) * MIN);
  });
});

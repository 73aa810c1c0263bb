import type { TraceSummary } from '@agentmon/contracts';
import { makeTraceSummary } from '@agentmon/testing';
import { hashToUnitInterval } from './hash-to-unit-interval';
import {
  isFailure,
  SamplingPolicy,
  type SamplingDecision,
  type SamplingInput,
} from './sampling-policy';

const NO_ERRORS = makeTraceSummary().error_types;
const success = (partial: Partial<SamplingInput> = {}): SamplingInput => ({
  trace_id: 'trace-1',
  completed: true,
  error_count: 0,
  error_types: NO_ERRORS,
  timed_out: false,
  rating: 'none',
  escalated: false,
  safety_flagged: false,
  first_session: false,
  task_type: 'qa',
  ...partial,
});

// A trace id the hash puts above any rate below 0.9 (so random_success never keeps it).
const UNLUCKY = Array.from({ length: 100 }, (_, i) => `trace-${i}`).find(
  (id) => hashToUnitInterval(id) > 0.9,
)!;

describe('isFailure', () => {
  it.each<[string, Partial<SamplingInput>, boolean]>([
    ['a success', {}, false],
    ['not completed', { completed: false }, true],
    ['a span error', { error_count: 1 }, true],
    ['timed out', { timed_out: true }, true],
    ['rated negative', { rating: 'negative' }, true],
    ['escalated', { escalated: true }, true],
    ['hallucination caught', { error_types: { ...NO_ERRORS, hallucination_caught: 1 } }, true],
    ['abandoned', { error_types: { ...NO_ERRORS, user_abandonment: 1 } }, true],
    ['safety flagged only', { safety_flagged: true }, false],
  ])('%s → %p', (_label, partial, expected) => {
    expect(isFailure(success(partial))).toBe(expected);
  });
});

describe('SamplingPolicy: rules', () => {
  it.each<[string, Partial<SamplingInput>, SamplingDecision]>([
    [
      'failure beats the rest',
      { completed: false, safety_flagged: true, first_session: true },
      { sampled: true, rule: 'failure' },
    ],
    [
      'safety beats first session',
      { safety_flagged: true, first_session: true },
      { sampled: true, rule: 'safety_flagged' },
    ],
    ['first session', { first_session: true }, { sampled: true, rule: 'first_session' }],
    ['an unlucky success', {}, { sampled: false, rule: 'unsampled' }],
  ])('%s', (_label, partial, expected) => {
    expect(new SamplingPolicy().decide(success({ trace_id: UNLUCKY, ...partial }))).toEqual(
      expected,
    );
  });

  it('keeps a lucky success as random_success', () => {
    const lucky = Array.from({ length: 100 }, (_, i) => `t-${i}`).find(
      (id) => hashToUnitInterval(id) < 0.1,
    )!;
    expect(new SamplingPolicy().decide(success({ trace_id: lucky }))).toEqual({
      sampled: true,
      rule: 'random_success',
    });
  });

  it('lets each rule be switched off', () => {
    const policy = new SamplingPolicy({
      rules: { failure: false, safetyFlagged: false, firstSession: false, randomSuccess: false },
    });
    const everything = success({ completed: false, safety_flagged: true, first_session: true });
    expect(policy.decide(everything)).toEqual({ sampled: false, rule: 'unsampled' });
    const noFailure = new SamplingPolicy({ rules: { failure: false } });
    expect(noFailure.decide(everything).rule).toBe('safety_flagged');
  });

  it('uses a fixed per-task-type rate over the default', () => {
    const policy = new SamplingPolicy({ taskTypeRates: { legal: 1, spam: 0 } });
    expect(policy.decide(success({ trace_id: UNLUCKY, task_type: 'legal' })).sampled).toBe(true);
    expect(policy.successRateFor('spam')).toBe(0);
    expect(policy.successRateFor('qa')).toBe(0.1);
    expect(policy.successRateFor(null)).toBe(0.1);
  });

  it('raises the rate of rare task types to reach the per-window floor', () => {
    const policy = new SamplingPolicy({
      stratification: {
        minKeptPerWindow: 20,
        expectedSuccessesPerWindow: { common: 10_000, rare: 80, empty: 0 },
        unknownTaskTypeRate: 0.5,
      },
    });
    expect(policy.successRateFor('common')).toBe(0.1);
    expect(policy.successRateFor('rare')).toBe(0.25);
    expect(policy.successRateFor('empty')).toBe(1);
    expect(policy.successRateFor('never-seen')).toBe(0.5);
    expect(policy.successRateFor(null)).toBe(0.1);
  });

  it.each([-0.1, 1.5, Number.NaN])('rejects successRate %p', (successRate) => {
    expect(() => new SamplingPolicy({ successRate })).toThrow(RangeError);
  });
});

describe('hashToUnitInterval', () => {
  it('is deterministic, in [0, 1) and spreads sequential ids evenly', () => {
    const buckets = new Array<number>(10).fill(0);
    let outOfRange = 0;
    for (let i = 0; i < 100_000; i++) {
      const u = hashToUnitInterval(`trace-${i}`);
      if (!(u >= 0 && u < 1)) outOfRange += 1;
      else buckets[Math.floor(u * 10)] += 1;
    }
    expect(outOfRange).toBe(0);
    expect(buckets.every((b) => Math.abs(b - 10_000) < 500)).toBe(true);
    expect(hashToUnitInterval('trace-42')).toBe(hashToUnitInterval('trace-42'));
  });
});

describe('SamplingPolicy: statistics over 100k synthetic traces', () => {
  // mulberry32: reproducible synthetic traffic.
  function prng(seed: number): () => number {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const MIX: [string, number][] = [
    ['code_review', 0.6],
    ['qa', 0.3],
    ['research', 0.099],
    ['legal_rare', 0.001],
  ];
  const N = 100_000;

  function traffic(): SamplingInput[] {
    const rand = prng(42);
    return Array.from({ length: N }, (_, i) => {
      let r = rand();
      const task = MIX.find(([, share]) => (r -= share) < 0)?.[0] ?? MIX[0][0];
      const failed = rand() < 0.15;
      return success({
        trace_id: `trace-${i.toString(36)}-${Math.floor(rand() * 1e9).toString(36)}`,
        task_type: task,
        completed: !failed,
        escalated: failed && rand() < 0.1,
        safety_flagged: rand() < 0.005,
        first_session: rand() < 0.03,
      });
    });
  }

  const inputs = traffic();
  const expectedSuccesses = Object.fromEntries(
    MIX.map(([task, share]) => [task, Math.round(N * share * 0.85)]),
  );
  const policy = new SamplingPolicy({
    stratification: {
      minKeptPerWindow: 30,
      expectedSuccessesPerWindow: expectedSuccesses,
      unknownTaskTypeRate: 1,
    },
  });
  // Speed is a benchmark's business, not a test's: only the decisions are checked here.
  let decisions: SamplingDecision[] = [];
  beforeAll(() => {
    decisions = inputs.map((t) => policy.decide(t));
  });

  it('keeps every failure, safety-flagged trace and first session', () => {
    const must = inputs
      .map((t, i) => ({ t, d: decisions[i] }))
      .filter(({ t }) => isFailure(t) || t.safety_flagged || t.first_session);
    expect(must.length).toBeGreaterThan(15_000);
    expect(must.filter(({ d }) => !d.sampled)).toEqual([]);
    const failures = must.filter(({ t }) => isFailure(t));
    expect(failures.every(({ d }) => d.rule === 'failure')).toBe(true);
    const safety = must.filter(({ t }) => !isFailure(t) && t.safety_flagged);
    expect(safety.length).toBeGreaterThan(0);
    expect(safety.every(({ d }) => d.rule === 'safety_flagged')).toBe(true);
  });

  it('keeps 10% ± 1 point of plain successes, overall and per common task type', () => {
    const plain = inputs
      .map((t, i) => ({ t, d: decisions[i] }))
      .filter(({ t }) => !isFailure(t) && !t.safety_flagged && !t.first_session);
    const share = (rows: typeof plain) => rows.filter((r) => r.d.sampled).length / rows.length;
    expect(Math.abs(share(plain) - 0.1)).toBeLessThanOrEqual(0.01);
    for (const task of ['code_review', 'qa', 'research']) {
      const rows = plain.filter((r) => r.t.task_type === task);
      expect(Math.abs(share(rows) - 0.1)).toBeLessThanOrEqual(0.015);
    }
    expect(plain.every((r) => r.d.rule === (r.d.sampled ? 'random_success' : 'unsampled'))).toBe(
      true,
    );
  });

  it('represents every task type, including one at 0.1% of traffic, above its plain share', () => {
    const kept = new Map<string, number>();
    inputs.forEach((t, i) => {
      if (decisions[i].rule === 'random_success') {
        kept.set(t.task_type!, (kept.get(t.task_type!) ?? 0) + 1);
      }
    });
    for (const [task] of MIX) expect(kept.get(task) ?? 0).toBeGreaterThan(0);
    // 30 / 85 expected successes ≈ 35% instead of 10%: about 30 kept rather than about 8.
    expect(kept.get('legal_rare')).toBeGreaterThanOrEqual(20);
  });

  it('decides the same on replay, in any order, with a fresh policy', () => {
    const replayPolicy = new SamplingPolicy(policy.config);
    const replayed = [...inputs].reverse().map((t) => replayPolicy.decide(t).rule);
    expect(replayed.reverse().join()).toBe(decisions.map((d) => d.rule).join());
  });

  it('keeps a plausible share of full traces overall', () => {
    const keptShare = decisions.filter((d) => d.sampled).length / N;
    expect(keptShare).toBeGreaterThan(0.2);
    expect(keptShare).toBeLessThan(0.3);
  });
});

// Type-level check: a full summary is a valid sampling input.
const _summaryIsInput: SamplingInput = makeTraceSummary() satisfies TraceSummary;
void _summaryIsInput;

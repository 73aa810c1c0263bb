import type { TraceSummary } from '@agentmon/contracts';
import { makeTraceSummary } from '@agentmon/testing';
import { hashToUnitInterval } from './hash-to-unit-interval';
import { lateSpanFate, needsSpanPromotion } from './late-promotion';
import {
  countsTowardSuccessFloor,
  isFailure,
  SamplingPolicy,
  samplingStratum,
  type SamplingDecision,
  type SamplingInput,
} from './sampling-policy';

type Trace = SamplingInput & Pick<TraceSummary, 'project_id' | 'started_at'>;

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 5, 1);
const NO_ERRORS = makeTraceSummary().error_types;
const success = (partial: Partial<Trace> = {}): Trace => ({
  trace_id: 'trace-1',
  project_id: 'project-1',
  started_at: T0,
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
const UNLUCKY = Array.from({ length: 100 }, (_, i) => `trace-${i}`).find(
  (id) => hashToUnitInterval(id) > 0.9,
)!;

/** The app's side, faked: one shared counter per stratum, read then bumped, once per trace. */
class InMemoryFloorCounter {
  private readonly counts = new Map<string, number>();
  decide(policy: SamplingPolicy, t: Trace): SamplingDecision {
    const key = samplingStratum(t).key;
    const decision = policy.needsFloorReading(t)
      ? policy.decide(t, { keptSuccessesInStratum: this.counts.get(key) ?? 0 })
      : policy.decide(t);
    if (countsTowardSuccessFloor(t, decision))
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    return decision;
  }
}

describe('SamplingPolicy: success floor decision', () => {
  const policy = new SamplingPolicy({ successRate: 0.1, minSuccessesPerTaskType: 5 });

  it.each<[string, Trace, number | undefined, SamplingDecision['rule']]>([
    ['below the floor: kept', success({ trace_id: UNLUCKY }), 4, 'success_floor'],
    ['at the floor: the random draw decides', success({ trace_id: UNLUCKY }), 5, 'unsampled'],
    ['no reading: no floor', success({ trace_id: UNLUCKY }), undefined, 'unsampled'],
    ['a failure is a failure', success({ trace_id: UNLUCKY, completed: false }), 0, 'failure'],
  ])('%s', (_name, t, kept, rule) => {
    const floor = kept === undefined ? undefined : { keptSuccessesInStratum: kept };
    expect(policy.decide(t, floor).rule).toBe(rule);
  });

  it('asks for a floor reading only for a success nothing else keeps', () => {
    expect(policy.needsFloorReading(success({ trace_id: UNLUCKY }))).toBe(true);
    expect(policy.needsFloorReading(success({ trace_id: UNLUCKY, completed: false }))).toBe(false);
    expect(policy.needsFloorReading(success({ trace_id: UNLUCKY, first_session: true }))).toBe(
      false,
    );
    expect(
      new SamplingPolicy({ minSuccessesPerTaskType: 0 }).needsFloorReading(
        success({ trace_id: UNLUCKY }),
      ),
    ).toBe(false);
  });

  it('strata are (project, task type, UTC hour of started_at)', () => {
    const a = samplingStratum(success({ started_at: T0 + 10 }));
    expect(a).toMatchObject({ projectId: 'project-1', taskType: 'qa', hourStartMs: T0 });
    expect(samplingStratum(success({ started_at: T0 + HOUR - 1 })).key).toBe(a.key);
    expect(samplingStratum(success({ started_at: T0 + HOUR })).key).not.toBe(a.key);
    expect(samplingStratum(success({ task_type: null })).key).not.toBe(a.key);
    expect(samplingStratum(success({ project_id: 'project-2' })).key).not.toBe(a.key);
  });

  it.each([-1, 1.5, Number.NaN])('rejects minSuccessesPerTaskType %p', (min) => {
    expect(() => new SamplingPolicy({ minSuccessesPerTaskType: min })).toThrow(RangeError);
  });
});

describe('SamplingPolicy: stratified sampling with the floor, 120k synthetic traces', () => {
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
    ['code_review', 0.35],
    ['qa', 0.25],
    ['research', 0.15],
    ['support', 0.1],
    ['data_analysis', 0.08],
    ['translation', 0.05],
    ['planning', 0.019],
    ['legal_rare', 0.001],
  ];
  const N = 120_000;
  const HOURS = 6;
  const FAILURE_SHARE = 0.08;
  const RATE = 0.1;
  const FLOOR = 5;

  const rand = prng(7);
  const traces: Trace[] = Array.from({ length: N }, (_, i) => {
    let r = rand();
    const task = MIX.find(([, share]) => (r -= share) < 0)?.[0] ?? MIX[0][0];
    const failed = rand() < FAILURE_SHARE;
    return success({
      trace_id: `trace-${i.toString(36)}-${Math.floor(rand() * 1e9).toString(36)}`,
      task_type: task,
      started_at: T0 + Math.floor(rand() * HOURS * HOUR),
      completed: !failed,
      safety_flagged: rand() < 0.001,
      first_session: rand() < 0.005,
    });
  }).sort((a, b) => a.started_at - b.started_at);

  const policy = new SamplingPolicy({ successRate: RATE, minSuccessesPerTaskType: FLOOR });
  const counter = new InMemoryFloorCounter();
  const decisions = traces.map((t) => counter.decide(policy, t));
  const rows = traces.map((t, i) => ({ t, d: decisions[i] }));

  const plain = rows.filter(({ t }) => !isFailure(t) && !t.safety_flagged && !t.first_session);
  const successShare = plain.filter((r) => r.d.sampled).length / plain.length;
  const storageShare = decisions.filter((d) => d.sampled).length / N;
  const floorKept = decisions.filter((d) => d.rule === 'success_floor').length;
  const strata = new Map<string, { successes: number; kept: number }>();
  for (const { t, d } of rows) {
    if (isFailure(t)) continue;
    const key = samplingStratum(t).key;
    const s = strata.get(key) ?? { successes: 0, kept: 0 };
    s.successes += 1;
    if (d.sampled) s.kept += 1;
    strata.set(key, s);
  }
  const minKept = Math.min(...[...strata.values()].map((s) => s.kept));
  const rareKept = rows.filter(
    ({ t, d }) => t.task_type === 'legal_rare' && !isFailure(t) && d.sampled,
  ).length;

  console.log(
    `sampling statistics: traces=${N} strata=${strata.size} failure_share=${FAILURE_SHARE} ` +
      `success_share=${(successShare * 100).toFixed(2)}% (rate ${RATE * 100}%) ` +
      `full_trace_storage=${(storageShare * 100).toFixed(2)}% floor_kept=${floorKept} ` +
      `min_kept_per_stratum_hour=${minKept} legal_rare_kept=${rareKept}`,
  );

  it(`keeps ≥ ${FLOOR} successes of every task type every hour (or all it had)`, () => {
    expect(strata.size).toBe(MIX.length * HOURS);
    for (const s of strata.values())
      expect(s.kept).toBeGreaterThanOrEqual(Math.min(FLOOR, s.successes));
  });

  it(`keeps the success rate ± 1 point: measured ${(successShare * 100).toFixed(2)}%`, () => {
    expect(Math.abs(successShare - RATE)).toBeLessThanOrEqual(0.01);
  });

  it(`stores full traces for ≤ 20% of traces at 8% failures: measured ${(storageShare * 100).toFixed(2)}%`, () => {
    expect(storageShare).toBeLessThanOrEqual(0.2);
    expect(rows.filter(({ t, d }) => isFailure(t) && !d.sampled)).toEqual([]);
  });

  it('keeps the random draw order-independent: only the floor depends on arrival order', () => {
    const random = rows.filter(({ d }) => d.rule === 'random_success').reverse();
    expect(random.every(({ t }) => policy.decide(t).rule === 'random_success')).toBe(true);
  });
});

describe('late failure: promotion of short-lived spans', () => {
  const previous = makeTraceSummary({ closed_at: T0 });
  const promoted = { ...previous, sampled: true, sampling_rule: 'failure' as const };

  it.each<[string, Pick<TraceSummary, 'sampled'>, Pick<TraceSummary, 'sampled'>, boolean]>([
    ['unsampled → sampled', previous, promoted, true],
    ['unsampled → unsampled', previous, previous, false],
    ['sampled → sampled: spans are already kept', promoted, promoted, false],
  ])('%s', (_name, before, after, expected) => {
    expect(needsSpanPromotion(before, after)).toBe(expected);
  });

  it('promotes within the late-spans window (record time), reports expiry after it', () => {
    const day = 24 * HOUR;
    expect(lateSpanFate(previous, promoted, T0 + day, day)).toBe('promote');
    expect(lateSpanFate(previous, promoted, T0 + day + 1, day)).toBe('expired');
    expect(lateSpanFate(previous, previous, T0 + 1, day)).toBe('none');
  });
});

import type { SamplingRule, TraceSummary } from '@agentmon/contracts';
import { hashToUnitInterval } from './hash-to-unit-interval';

/** The summary fields a sampling decision reads. */
export type SamplingInput = Pick<
  TraceSummary,
  | 'trace_id'
  | 'completed'
  | 'error_count'
  | 'error_types'
  | 'timed_out'
  | 'rating'
  | 'escalated'
  | 'safety_flagged'
  | 'first_session'
  | 'task_type'
>;

export interface SamplingDecision {
  sampled: boolean;
  /** The rule that decided; `unsampled` exactly when sampled is false. */
  rule: SamplingRule;
}

/**
 * The shared-counter reading behind the per-stratum success floor: how many successes of the
 * trace's stratum (samplingStratum) were already kept. The app keeps that counter atomically
 * (Redis) and decides once per trace, storing the decision like the first-session one, so a
 * replay reads the decision instead of the counter.
 */
export interface SuccessFloorReading {
  keptSuccessesInStratum: number;
}

/** Anything that decides; SamplingPolicy is the real one, tests may stub it. */
export interface TraceSampler {
  decide(trace: SamplingInput, floor?: SuccessFloorReading): SamplingDecision;
}

export interface SamplingRules {
  failure: boolean;
  safetyFlagged: boolean;
  firstSession: boolean;
  randomSuccess: boolean;
}

/**
 * Stratification by task type, stateless so a replay decides the same: the app periodically
 * snapshots the expected successes per window of each task type (from the metrics it already
 * has) into configuration, and a type's rate is raised so that it keeps at least
 * `minKeptPerWindow` successes per window in expectation. Counting "kept so far" would instead
 * depend on processing order, instance count and restarts.
 */
export interface TaskTypeStratification {
  minKeptPerWindow: number;
  expectedSuccessesPerWindow: Readonly<Record<string, number>>;
  /** Rate for a task type missing from the snapshot: new or so rare it was never seen. */
  unknownTaskTypeRate: number;
}

export interface SamplingPolicyConfig {
  /** Share of successes kept (DESIGN: 10%; SESSIONIZER_SUCCESS_SAMPLE_RATE). */
  successRate: number;
  /**
   * Successes kept per stratum (project, task type, UTC hour) whatever the rate, so a task type
   * with 0.1% of traffic is still represented (SESSIONIZER_MIN_SUCCESSES_PER_TASK_TYPE). Applies
   * when decide() is given a SuccessFloorReading. Cost: at most this many extra kept traces per
   * stratum and hour (the first successes of the hour, before the random draw has kept enough).
   */
  minSuccessesPerTaskType: number;
  rules: SamplingRules;
  /** Fixed success rate per task type; wins over stratification. */
  taskTypeRates: Readonly<Record<string, number>>;
  stratification: TaskTypeStratification | null;
}

/** Constructor input: any subset, rules included; the rest defaults. */
export type SamplingPolicyOptions = Partial<Omit<SamplingPolicyConfig, 'rules'>> & {
  rules?: Partial<SamplingRules>;
};

export const DEFAULT_SAMPLING_POLICY_CONFIG: Readonly<SamplingPolicyConfig> = Object.freeze({
  successRate: 0.1,
  minSuccessesPerTaskType: 5,
  rules: Object.freeze({
    failure: true,
    safetyFlagged: true,
    firstSession: true,
    randomSuccess: true,
  }),
  taskTypeRates: Object.freeze({}),
  stratification: null,
});

/**
 * DESIGN's failures: not completed, any error, timeout, negative rating, escalation. "Any error"
 * covers span errors and every trace-level error type (abandonment, hallucination caught).
 * A correction alone is not a failure (it only breaks strong completion).
 */
export function isFailure(t: SamplingInput): boolean {
  return (
    !t.completed ||
    t.error_count > 0 ||
    t.timed_out ||
    t.rating === 'negative' ||
    t.escalated ||
    Object.values(t.error_types).some((count) => count > 0)
  );
}

/**
 * Tail-based sampling on a complete trace. Priority: failure > safety_flagged > first_session >
 * random_success > unsampled. The random draw is a hash of trace_id, one draw for all rates, so
 * raising a rate keeps a superset of what a lower rate kept.
 */
export class SamplingPolicy implements TraceSampler {
  readonly config: SamplingPolicyConfig;
  private readonly rateByTaskType = new Map<string, number>();

  constructor(config: SamplingPolicyOptions = {}) {
    this.config = {
      ...DEFAULT_SAMPLING_POLICY_CONFIG,
      ...config,
      rules: { ...DEFAULT_SAMPLING_POLICY_CONFIG.rules, ...config.rules },
    };
    checkRate('successRate', this.config.successRate);
    const min = this.config.minSuccessesPerTaskType;
    if (!(Number.isInteger(min) && min >= 0)) {
      throw new RangeError('minSuccessesPerTaskType must be a non-negative integer');
    }
    this.precomputeRates();
  }

  /**
   * With `floor`, a success the random draw did not keep is kept as success_floor while its
   * stratum has fewer than minSuccessesPerTaskType kept successes this hour.
   */
  decide(t: SamplingInput, floor?: SuccessFloorReading): SamplingDecision {
    const { rules } = this.config;
    if (rules.failure && isFailure(t)) return kept('failure');
    if (rules.safetyFlagged && t.safety_flagged) return kept('safety_flagged');
    if (rules.firstSession && t.first_session) return kept('first_session');
    if (rules.randomSuccess && hashToUnitInterval(t.trace_id) < this.successRateFor(t.task_type)) {
      return kept('random_success');
    }
    if (
      rules.randomSuccess &&
      floor !== undefined &&
      floor.keptSuccessesInStratum < this.config.minSuccessesPerTaskType
    ) {
      return kept('success_floor');
    }
    return { sampled: false, rule: 'unsampled' };
  }

  /**
   * True when the decision depends on the floor counter: a success the rules and the random
   * draw leave unsampled. Only then must the app claim a floor slot atomically (for example a
   * Lua "increment if below minSuccessesPerTaskType, return the count before").
   */
  needsFloorReading(t: SamplingInput): boolean {
    return (
      this.config.minSuccessesPerTaskType > 0 &&
      this.decide(t).rule === 'unsampled' &&
      !isFailure(t)
    );
  }

  /** The share of successes of this task type that random_success keeps. */
  successRateFor(taskType: string | null): number {
    if (taskType === null) return this.config.successRate;
    const rate = this.rateByTaskType.get(taskType);
    if (rate !== undefined) return rate;
    const strat = this.config.stratification;
    return strat === null
      ? this.config.successRate
      : Math.max(this.config.successRate, strat.unknownTaskTypeRate);
  }

  private precomputeRates(): void {
    const { successRate, stratification, taskTypeRates } = this.config;
    if (stratification !== null) {
      checkRate('stratification.unknownTaskTypeRate', stratification.unknownTaskTypeRate);
      for (const [type, volume] of Object.entries(stratification.expectedSuccessesPerWindow)) {
        const floorRate = volume > 0 ? stratification.minKeptPerWindow / volume : 1;
        this.rateByTaskType.set(type, Math.min(1, Math.max(successRate, floorRate)));
      }
    }
    for (const [type, rate] of Object.entries(taskTypeRates)) {
      checkRate(`taskTypeRates.${type}`, rate);
      this.rateByTaskType.set(type, rate);
    }
  }
}

/**
 * The sampling decision of a revision: it stands unless the revision makes the trace a failure
 * or safety-flagged, which DESIGN keeps at 100%; then the rule is upgraded (and the app must
 * promote the trace's short-lived spans: see needsSpanPromotion / lateSpanFate).
 */
export function revisedSampling(
  previous: SamplingInput & Pick<TraceSummary, 'sampled' | 'sampling_rule'>,
  revised: SamplingInput,
): Pick<TraceSummary, 'sampled' | 'sampling_rule'> {
  const unchanged = { sampled: previous.sampled, sampling_rule: previous.sampling_rule };
  const upgrade = (rule: SamplingRule) => ({ sampled: true, sampling_rule: rule });
  if (isFailure(revised)) return isFailure(previous) ? unchanged : upgrade('failure');
  // Not a failure, so the previous rule ranked below safety_flagged (or was it already).
  if (revised.safety_flagged && !previous.safety_flagged) return upgrade('safety_flagged');
  return unchanged;
}

const HOUR_MS = 3_600_000;

/** The stratum of the success floor: project, task type, UTC hour of the trace's start. */
export interface SamplingStratum {
  projectId: string;
  /** null: the trace had no task_type (its own stratum). */
  taskType: string | null;
  hourStartMs: number;
  /** Counter key suffix: a JSON array, so no two strata share it. */
  key: string;
}

/** Event time (started_at), not processing time: a replay lands in the same stratum. */
export function samplingStratum(
  t: Pick<TraceSummary, 'project_id' | 'task_type' | 'started_at'>,
): SamplingStratum {
  const hourStartMs = Math.floor(t.started_at / HOUR_MS) * HOUR_MS;
  return {
    projectId: t.project_id,
    taskType: t.task_type,
    hourStartMs,
    key: JSON.stringify([t.project_id, t.task_type, hourStartMs]),
  };
}

/**
 * Whether a decided trace counts toward its stratum's floor: every kept success (random,
 * floor, first session, safety-flagged), never a failure. The app increments the counter for
 * these (the floor claim already did for success_floor).
 */
export function countsTowardSuccessFloor(t: SamplingInput, decision: SamplingDecision): boolean {
  return decision.sampled && !isFailure(t);
}

function kept(rule: Exclude<SamplingRule, 'unsampled'>): SamplingDecision {
  return { sampled: true, rule };
}

function checkRate(name: string, rate: number): void {
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`${name} must be within [0, 1]`);
}

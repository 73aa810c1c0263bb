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

/** Anything that decides; SamplingPolicy is the real one, tests may stub it. */
export interface TraceSampler {
  decide(trace: SamplingInput): SamplingDecision;
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
  /** Share of successes kept (DESIGN: 10%). */
  successRate: number;
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
    this.precomputeRates();
  }

  decide(t: SamplingInput): SamplingDecision {
    const { rules } = this.config;
    if (rules.failure && isFailure(t)) return kept('failure');
    if (rules.safetyFlagged && t.safety_flagged) return kept('safety_flagged');
    if (rules.firstSession && t.first_session) return kept('first_session');
    if (rules.randomSuccess && hashToUnitInterval(t.trace_id) < this.successRateFor(t.task_type)) {
      return kept('random_success');
    }
    return { sampled: false, rule: 'unsampled' };
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

function kept(rule: Exclude<SamplingRule, 'unsampled'>): SamplingDecision {
  return { sampled: true, rule };
}

function checkRate(name: string, rate: number): void {
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`${name} must be within [0, 1]`);
}

import type { MetricWindow } from '@agentmon/contracts';

/**
 * Weights of the implicit satisfaction signals (AGGREGATOR_SATISFACTION_WEIGHT_*). Positive
 * weights for good signals, negative for bad ones; see SATISFACTION.md for the formula.
 */
export interface SatisfactionWeights {
  copied: number;
  accepted: number;
  followUp: number;
  corrected: number;
  abandoned: number;
}

export const DEFAULT_SATISFACTION_WEIGHTS: Readonly<SatisfactionWeights> = Object.freeze({
  copied: 1,
  accepted: 0.5,
  followUp: 0.25,
  corrected: -1,
  abandoned: -1,
});

/** Throws a RangeError naming the weight when one is not a finite number. */
export function resolveSatisfactionWeights(
  weights: Partial<SatisfactionWeights> = {},
): SatisfactionWeights {
  const resolved = { ...DEFAULT_SATISFACTION_WEIGHTS, ...weights };
  for (const [name, value] of Object.entries(resolved)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new RangeError(`satisfaction weight ${name} must be a finite number, got ${value}`);
    }
  }
  return resolved;
}

/** Traces with each signal in one window (one slice): the sums a cell carries. */
export interface SatisfactionCounts {
  traceCount: number;
  ratingPositive: number;
  ratingNegative: number;
  accepted: number;
  corrected: number;
  abandoned: number;
  followUp: number;
  copied: number;
}

/** z for a two-sided 95 % interval. */
export const WILSON_Z_95 = 1.959963984540054;

/**
 * Wilson score interval of a binomial proportion (successes / n) at confidence z: unlike the
 * normal approximation it stays inside [0, 1] and is wide for small n (3 of 3 → [0.44, 1]).
 * Null when n is 0.
 */
export function wilsonInterval(
  successes: number,
  n: number,
  z = WILSON_Z_95,
): { low: number; high: number } | null {
  if (n <= 0) return null;
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * The implicit satisfaction index: the weighted balance of the implicit signals seen,
 *
 *   index = Σ_k w_k · c_k / Σ_k |w_k| · c_k      (k ∈ copied, accepted, follow-up, corrected, abandoned)
 *
 * with c_k the traces showing signal k. |numerator| ≤ denominator, so it lies in [−1, 1]: +1 when
 * only positive signals were seen, −1 when only negative ones, 0 when they balance. Null when no
 * trace carried a weighted signal. It is computed from sums only, so merges and rollups are exact.
 */
export function satisfactionIndex(
  counts: SatisfactionCounts,
  weights: SatisfactionWeights,
): number | null {
  const terms: [number, number][] = [
    [weights.copied, counts.copied],
    [weights.accepted, counts.accepted],
    [weights.followUp, counts.followUp],
    [weights.corrected, counts.corrected],
    [weights.abandoned, counts.abandoned],
  ];
  let numerator = 0;
  let denominator = 0;
  for (const [w, c] of terms) {
    numerator += w * c;
    denominator += Math.abs(w) * c;
  }
  if (denominator <= 0) return null;
  return Math.min(1, Math.max(-1, numerator / denominator));
}

type SatisfactionFields = Required<
  Pick<
    MetricWindow,
    | 'rating_positive_count'
    | 'rating_negative_count'
    | 'rating_coverage'
    | 'positive_share'
    | 'positive_share_low'
    | 'positive_share_high'
    | 'accepted_count'
    | 'corrected_count'
    | 'abandoned_count'
    | 'follow_up_count'
    | 'output_copied_count'
    | 'accepted_rate'
    | 'corrected_rate'
    | 'abandoned_rate'
    | 'follow_up_rate'
    | 'copied_rate'
    | 'satisfaction_index'
  >
>;

function rate(numerator: number, denominator: number): number | null {
  return denominator > 0 ? Math.min(1, Math.max(0, numerator / denominator)) : null;
}

/** The satisfaction fields of a MetricWindow, derived from one cell's sums. */
export function deriveSatisfaction(
  c: SatisfactionCounts,
  weights: SatisfactionWeights = DEFAULT_SATISFACTION_WEIGHTS,
): SatisfactionFields {
  const n = c.traceCount;
  const rated = c.ratingPositive + c.ratingNegative;
  const interval = wilsonInterval(c.ratingPositive, rated);
  return {
    rating_positive_count: c.ratingPositive,
    rating_negative_count: c.ratingNegative,
    rating_coverage: rate(rated, n),
    positive_share: rate(c.ratingPositive, rated),
    positive_share_low: interval?.low ?? null,
    positive_share_high: interval?.high ?? null,
    accepted_count: c.accepted,
    corrected_count: c.corrected,
    abandoned_count: c.abandoned,
    follow_up_count: c.followUp,
    output_copied_count: c.copied,
    accepted_rate: rate(c.accepted, n),
    corrected_rate: rate(c.corrected, n),
    abandoned_rate: rate(c.abandoned, n),
    follow_up_rate: rate(c.followUp, n),
    copied_rate: rate(c.copied, n),
    satisfaction_index: satisfactionIndex(c, weights),
  };
}

import type { SliceMetrics } from './period-metrics';

export interface SliceChange {
  dimension: string;
  value: string;
  trace_count: number;
  previous_trace_count: number;
  /** What got worse, e.g. "strong completion 91.0% → 72.0%". */
  reasons: string[];
  /** Drop of strong completion (absolute; positive = worse), for ordering. */
  strong_completion_drop: number;
}

export interface SliceChangeThresholds {
  /** Fewest traces a slice needs in both periods to be compared. */
  minTraces: number;
  /** Absolute drop of (strong) completion that counts as worse (0.05, the detector's warning). */
  completionDrop: number;
  /** Absolute rise of the tool-call error rate that counts as worse (0.05). */
  errorRateRise: number;
  /** Ratio of p95 latency that counts as worse (1.5). */
  latencyRatio: number;
  /** Ratio of average cost that counts as worse (1.5). */
  costRatio: number;
}

export const DEFAULT_SLICE_CHANGE_THRESHOLDS: SliceChangeThresholds = {
  minTraces: 30,
  completionDrop: 0.05,
  errorRateRise: 0.05,
  latencyRatio: 1.5,
  costRatio: 1.5,
};

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** Slices whose metrics got worse than in the previous period, largest completion drop first. */
export function worsenedSlices(
  current: readonly SliceMetrics[],
  previous: readonly SliceMetrics[],
  t: SliceChangeThresholds = DEFAULT_SLICE_CHANGE_THRESHOLDS,
): SliceChange[] {
  const before = new Map(previous.map((s) => [`${s.dimension}\u0000${s.value}`, s]));
  const out: SliceChange[] = [];
  for (const now of current) {
    const was = before.get(`${now.dimension}\u0000${now.value}`);
    if (was === undefined || now.trace_count < t.minTraces || was.trace_count < t.minTraces)
      continue;
    const reasons: string[] = [];
    const drop = (was.strong_completion_rate ?? 0) - (now.strong_completion_rate ?? 0);
    if (drop >= t.completionDrop)
      reasons.push(
        `strong completion ${pct(was.strong_completion_rate!)} → ${pct(now.strong_completion_rate!)}`,
      );
    const completionDrop = (was.completion_rate ?? 0) - (now.completion_rate ?? 0);
    if (completionDrop >= t.completionDrop)
      reasons.push(`completion ${pct(was.completion_rate!)} → ${pct(now.completion_rate!)}`);
    if (
      now.error_rate !== null &&
      was.error_rate !== null &&
      now.error_rate - was.error_rate >= t.errorRateRise
    )
      reasons.push(`error rate ${pct(was.error_rate)} → ${pct(now.error_rate)}`);
    if (
      now.latency_p95_ms !== null &&
      was.latency_p95_ms !== null &&
      was.latency_p95_ms > 0 &&
      now.latency_p95_ms >= t.latencyRatio * was.latency_p95_ms
    )
      reasons.push(
        `p95 ${(was.latency_p95_ms / 1000).toFixed(1)} s → ${(now.latency_p95_ms / 1000).toFixed(1)} s`,
      );
    if (
      now.cost_avg_usd !== null &&
      was.cost_avg_usd !== null &&
      was.cost_avg_usd > 0 &&
      now.cost_avg_usd >= t.costRatio * was.cost_avg_usd
    )
      reasons.push(`avg cost $${was.cost_avg_usd.toFixed(4)} → $${now.cost_avg_usd.toFixed(4)}`);
    if (reasons.length > 0) {
      out.push({
        dimension: now.dimension,
        value: now.value,
        trace_count: now.trace_count,
        previous_trace_count: was.trace_count,
        reasons,
        strong_completion_drop: drop,
      });
    }
  }
  return out.sort(
    (a, b) =>
      b.strong_completion_drop - a.strong_completion_drop ||
      a.dimension.localeCompare(b.dimension) ||
      a.value.localeCompare(b.value),
  );
}

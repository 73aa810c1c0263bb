import { createHash } from 'node:crypto';
import {
  ALL_SLICE_VALUE,
  type ChartMetric,
  type MetricWindow,
  type Slice,
} from '@agentmon/contracts';

/**
 * What the engine consumes: one window of one series (project, slice). The live detector builds
 * it from a MetricWindow (`pointFromMetricWindow`), the replay command from a JSON line; both
 * then call the same `DetectorEngine.apply`.
 */
export interface DetectorPoint {
  projectId: string;
  slice: Slice;
  windowStart: number;
  windowEnd: number;
  /** Higher revisions of the latest applied window replace it; see DetectorEngine.apply. */
  revision: number;
  /** Traces in the window; null = unknown, taken as enough samples and weight 1. */
  traceCount: number | null;
  /** Metric values; absent or null = not measured in this window. */
  values: Partial<Record<ChartMetric, number | null>>;
  /**
   * 95 % intervals of metrics that carry one (positive_share: Wilson, from the window's ratings),
   * read by `interval_drop` rules; absent = unknown (such a rule then never fires).
   */
  intervals?: Partial<Record<ChartMetric, { low: number; high: number }>>;
  /**
   * Observations behind a metric when they are not the window's traces (positive_share: the
   * rated traces, often 1–5 % of them). The min-samples guard reads these first: one rating in
   * a window of 40 traces is one sample, not 40.
   */
  sampleCounts?: Partial<Record<ChartMetric, number>>;
  /** Refused or safety-flagged traces (adversarial rule); absent = unknown. */
  flaggedCount?: number | null;
  /**
   * Overall window only: traces per value of each slice dimension (MetricWindow.traffic_mix),
   * so traffic drift is scored from one series (engine option `mixSource: 'overall'`).
   */
  mix?: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export const OVERALL_SLICE: Slice = Object.freeze({ dimension: 'all', value: ALL_SLICE_VALUE });

/** The engine's point for one metrics-topic window. */
export function pointFromMetricWindow(w: MetricWindow): DetectorPoint {
  const r = w.error_type_rates;
  return {
    projectId: w.project_id,
    slice: w.slice,
    windowStart: w.window_start,
    windowEnd: w.window_end,
    revision: w.revision,
    traceCount: w.trace_count,
    // A trace can be both refused and flagged: the sum is capped at the window's traces.
    flaggedCount: Math.min(
      w.trace_count,
      w.error_type_counts.llm_refusal + (w.safety_flagged_count ?? 0),
    ),
    ...(w.slice.dimension === 'all' && w.traffic_mix ? { mix: w.traffic_mix } : {}),
    ...(w.rating_positive_count != null && w.rating_negative_count != null
      ? { sampleCounts: { positive_share: w.rating_positive_count + w.rating_negative_count } }
      : {}),
    ...(w.positive_share_low != null && w.positive_share_high != null
      ? {
          intervals: { positive_share: { low: w.positive_share_low, high: w.positive_share_high } },
        }
      : {}),
    values: {
      completion_rate: w.completion_rate,
      strong_completion_rate: w.strong_completion_rate,
      completion_gap: w.completion_gap,
      latency_p50_ms: w.latency_p50_ms,
      latency_p95_ms: w.latency_p95_ms,
      latency_p99_ms: w.latency_p99_ms,
      cost_avg_usd: w.cost_avg_usd,
      cost_per_successful_task_usd: w.cost_per_successful_task_usd,
      error_rate: w.error_rate,
      tool_failure_rate: r.tool_failure,
      llm_refusal_rate: r.llm_refusal,
      timeout_rate: r.timeout,
      user_abandonment_rate: r.user_abandonment,
      hallucination_caught_rate: r.hallucination_caught,
      avg_tool_calls: w.avg_tool_calls,
      avg_steps: w.avg_steps,
      avg_tokens: w.avg_tokens,
      rating_coverage: w.rating_coverage,
      positive_share: w.positive_share,
      accepted_rate: w.accepted_rate,
      corrected_rate: w.corrected_rate,
      abandoned_rate: w.abandoned_rate,
      follow_up_rate: w.follow_up_rate,
      copied_rate: w.copied_rate,
      satisfaction_index: w.satisfaction_index,
    },
  };
}

export function sliceText(slice: Slice): string {
  return slice.dimension === 'all' ? 'all' : `${slice.dimension}=${slice.value}`;
}

/** State key of one series: project and slice (every metric of the slice shares it). */
export function seriesKey(projectId: string, slice: Slice): string {
  return `${projectId}|${slice.dimension}=${encodeURIComponent(slice.value)}`;
}

function digest(parts: readonly (string | number)[], chars: number): string {
  return createHash('sha256').update(parts.join('\u0000'), 'utf8').digest('hex').slice(0, chars);
}

/** Stable per condition (detector kind, project, metric, slice): firing and resolved share it. */
export function alertFingerprint(
  kind: string,
  projectId: string,
  metric: string,
  slice: Slice | string,
): string {
  const s = typeof slice === 'string' ? slice : `${slice.dimension}=${slice.value}`;
  return `${kind}:${digest([kind, projectId, metric, s], 32)}`;
}

/** Unique per state change and deterministic, so a replay of the topic yields the same ids. */
export function alertId(
  fingerprint: string,
  windowStart: number,
  state: string,
  severity: string,
): string {
  return digest([fingerprint, windowStart, state, severity], 32);
}

import type { MetricWindow, Slice } from '@agentmon/contracts';
import { NANOS_PER_USD, type AggregateCell } from './aggregate-cell';
import {
  DEFAULT_SATISFACTION_WEIGHTS,
  deriveSatisfaction,
  type SatisfactionWeights,
} from './satisfaction';

export interface WindowIdentity {
  projectId: string;
  slice: Slice;
  windowStart: number;
  windowSizeMs: number;
  revision: number;
  computedAt: number;
  /** The project's overall trace count in the same window, for traffic_share. */
  projectTraceCount: number;
  /** Weights of the implicit satisfaction index (defaults: DEFAULT_SATISFACTION_WEIGHTS). */
  satisfactionWeights?: SatisfactionWeights;
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}

/** A rate, clamped into [0, 1] so rounding never produces 1.0000000002. */
function rate(numerator: number, denominator: number): number | null {
  const r = ratio(numerator, denominator);
  return r === null ? null : Math.min(1, Math.max(0, r));
}

/**
 * Every metric of a window, derived once from merged sums (never from other derived values,
 * so hourly and daily rollups are exact rather than averages of averages).
 */
export function deriveMetricWindow(cell: AggregateCell, id: WindowIdentity): MetricWindow {
  const n = cell.traceCount;
  const costTotal = cell.costNanos / NANOS_PER_USD;
  const completionRate = rate(cell.completedCount, n);
  const strongRate = rate(cell.strongCompletedCount, n);
  const [p50, p95, p99] = cell.latency.quantiles([0.5, 0.95, 0.99]);
  const errorTypeCounts = cell.errorTypeCounts();
  return {
    project_id: id.projectId,
    metric_group: 'traces',
    slice: id.slice,
    window_start: id.windowStart,
    window_end: id.windowStart + id.windowSizeMs,
    window_size_ms: id.windowSizeMs,
    revision: id.revision,
    computed_at: id.computedAt,
    trace_count: n,
    completed_count: cell.completedCount,
    strong_completed_count: cell.strongCompletedCount,
    completion_rate: completionRate,
    strong_completion_rate: strongRate,
    completion_gap:
      completionRate === null || strongRate === null ? null : completionRate - strongRate,
    latency_p50_ms: p50 ?? null,
    latency_p95_ms: p95 ?? null,
    latency_p99_ms: p99 ?? null,
    cost_total_usd: costTotal,
    cost_avg_usd: ratio(costTotal, n),
    cost_per_successful_task_usd: ratio(costTotal, cell.strongCompletedCount),
    tool_call_count: cell.toolCallCount,
    tool_error_count: cell.toolErrorCount,
    error_rate: rate(cell.toolErrorCount, cell.toolCallCount),
    error_type_counts: errorTypeCounts,
    error_type_rates: {
      tool_failure: rate(errorTypeCounts.tool_failure, n),
      llm_refusal: rate(errorTypeCounts.llm_refusal, n),
      timeout: rate(errorTypeCounts.timeout, n),
      user_abandonment: rate(errorTypeCounts.user_abandonment, n),
      hallucination_caught: rate(errorTypeCounts.hallucination_caught, n),
    },
    step_count: cell.stepCount,
    input_tokens: cell.inputTokens,
    output_tokens: cell.outputTokens,
    avg_tool_calls: ratio(cell.toolCallCount, n),
    avg_steps: ratio(cell.stepCount, n),
    avg_input_tokens: ratio(cell.inputTokens, n),
    avg_output_tokens: ratio(cell.outputTokens, n),
    avg_tokens: ratio(cell.inputTokens + cell.outputTokens, n),
    traffic_share: rate(n, id.projectTraceCount),
    ...deriveSatisfaction(
      {
        traceCount: n,
        ratingPositive: cell.ratingPositiveCount,
        ratingNegative: cell.ratingNegativeCount,
        accepted: cell.acceptedCount,
        corrected: cell.correctedCount,
        abandoned: cell.abandonedCount,
        followUp: cell.followUpCount,
        copied: cell.outputCopiedCount,
      },
      id.satisfactionWeights ?? DEFAULT_SATISFACTION_WEIGHTS,
    ),
  };
}

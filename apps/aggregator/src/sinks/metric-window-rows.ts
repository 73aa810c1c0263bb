import type { PartialWindow } from '@agentmon/aggregator-domain';
import type { MetricWindow } from '@agentmon/contracts';

/** A metric_windows row (migrations 0003, 0008 and 0009). Null rates are stored as 0; sums are exact. */
export interface MetricWindowRow {
  project_id: string;
  window_start_ms: number;
  window_size_s: number;
  metric_group: string;
  slice_dimension: string;
  slice_value: string;
  revision: number;
  computed_at_ms: number;
  trace_count: number;
  completed_count: number;
  strong_completed_count: number;
  completion_rate: number;
  strong_completion_rate: number;
  completion_gap: number;
  latency_p50_ms: number;
  latency_p95_ms: number;
  latency_p99_ms: number;
  cost_total_usd: number;
  cost_avg_usd: number;
  cost_per_successful_task_usd: number;
  tool_call_count: number;
  tool_error_count: number;
  error_rate: number;
  tool_failure_rate: number;
  llm_refusal_rate: number;
  timeout_rate: number;
  abandonment_rate: number;
  hallucination_rate: number;
  avg_tool_calls: number;
  avg_steps: number;
  avg_tokens: number;
  traffic_share: number;
  step_count: number;
  input_tokens: number;
  output_tokens: number;
  tool_failure_count: number;
  llm_refusal_count: number;
  timeout_count: number;
  abandonment_count: number;
  hallucination_count: number;
  safety_flagged_count: number;
  rating_positive_count: number;
  rating_negative_count: number;
  rating_coverage: number;
  positive_share: number;
  positive_share_low: number;
  positive_share_high: number;
  accepted_count: number;
  corrected_count: number;
  abandoned_count: number;
  follow_up_count: number;
  output_copied_count: number;
  accepted_rate: number;
  corrected_rate: number;
  abandoned_rate: number;
  follow_up_rate: number;
  copied_rate: number;
  satisfaction_index: number;
  window_json: string;
  partial_json: string;
}

const z = (value: number | null | undefined): number => value ?? 0;

export function toMetricWindowRow(window: MetricWindow, partial?: PartialWindow): MetricWindowRow {
  const counts = window.error_type_counts;
  const rates = window.error_type_rates;
  return {
    project_id: window.project_id,
    window_start_ms: window.window_start,
    window_size_s: Math.round(window.window_size_ms / 1000),
    metric_group: window.metric_group,
    slice_dimension: window.slice.dimension,
    slice_value: window.slice.value,
    revision: window.revision,
    computed_at_ms: window.computed_at,
    trace_count: window.trace_count,
    completed_count: window.completed_count,
    strong_completed_count: window.strong_completed_count,
    completion_rate: z(window.completion_rate),
    strong_completion_rate: z(window.strong_completion_rate),
    completion_gap: z(window.completion_gap),
    latency_p50_ms: z(window.latency_p50_ms),
    latency_p95_ms: z(window.latency_p95_ms),
    latency_p99_ms: z(window.latency_p99_ms),
    cost_total_usd: window.cost_total_usd,
    cost_avg_usd: z(window.cost_avg_usd),
    cost_per_successful_task_usd: z(window.cost_per_successful_task_usd),
    tool_call_count: window.tool_call_count,
    tool_error_count: window.tool_error_count,
    error_rate: z(window.error_rate),
    tool_failure_rate: z(rates.tool_failure),
    llm_refusal_rate: z(rates.llm_refusal),
    timeout_rate: z(rates.timeout),
    abandonment_rate: z(rates.user_abandonment),
    hallucination_rate: z(rates.hallucination_caught),
    avg_tool_calls: z(window.avg_tool_calls),
    avg_steps: z(window.avg_steps),
    avg_tokens: z(window.avg_tokens),
    traffic_share: z(window.traffic_share),
    step_count: window.step_count,
    input_tokens: window.input_tokens,
    output_tokens: window.output_tokens,
    tool_failure_count: counts.tool_failure,
    llm_refusal_count: counts.llm_refusal,
    timeout_count: counts.timeout,
    abandonment_count: counts.user_abandonment,
    hallucination_count: counts.hallucination_caught,
    safety_flagged_count: z(window.safety_flagged_count),
    rating_positive_count: z(window.rating_positive_count),
    rating_negative_count: z(window.rating_negative_count),
    rating_coverage: z(window.rating_coverage),
    positive_share: z(window.positive_share),
    positive_share_low: z(window.positive_share_low),
    positive_share_high: z(window.positive_share_high),
    accepted_count: z(window.accepted_count),
    corrected_count: z(window.corrected_count),
    abandoned_count: z(window.abandoned_count),
    follow_up_count: z(window.follow_up_count),
    output_copied_count: z(window.output_copied_count),
    accepted_rate: z(window.accepted_rate),
    corrected_rate: z(window.corrected_rate),
    abandoned_rate: z(window.abandoned_rate),
    follow_up_rate: z(window.follow_up_rate),
    copied_rate: z(window.copied_rate),
    satisfaction_index: z(window.satisfaction_index),
    window_json: JSON.stringify(window),
    partial_json: partial === undefined ? '' : JSON.stringify(partial),
  };
}

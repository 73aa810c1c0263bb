import { ALL_SLICE_VALUE, type MetricWindow } from '@agentmon/contracts';
import { FIXED_TIME_MS } from './id-generator';

/** A valid one-minute overall window of 100 traces; override any field. */
export function makeMetricWindow(partial: Partial<MetricWindow> = {}): MetricWindow {
  const window_start = partial.window_start ?? FIXED_TIME_MS;
  const window_size_ms = partial.window_size_ms ?? 60_000;
  return {
    project_id: 'project-1',
    metric_group: 'traces',
    slice: { dimension: 'all', value: ALL_SLICE_VALUE },
    window_start,
    window_end: window_start + window_size_ms,
    window_size_ms,
    revision: 0,
    computed_at: window_start + window_size_ms + 1_000,
    trace_count: 100,
    completed_count: 90,
    strong_completed_count: 80,
    completion_rate: 0.9,
    strong_completion_rate: 0.8,
    completion_gap: 0.1,
    latency_p50_ms: 4_000,
    latency_p95_ms: 15_000,
    latency_p99_ms: 30_000,
    cost_total_usd: 1.62,
    cost_avg_usd: 0.0162,
    cost_per_successful_task_usd: 0.02025,
    tool_call_count: 200,
    tool_error_count: 6,
    error_rate: 0.03,
    error_type_counts: {
      tool_failure: 5,
      llm_refusal: 1,
      timeout: 2,
      user_abandonment: 3,
      hallucination_caught: 0,
    },
    error_type_rates: {
      tool_failure: 0.05,
      llm_refusal: 0.01,
      timeout: 0.02,
      user_abandonment: 0.03,
      hallucination_caught: 0,
    },
    step_count: 300,
    input_tokens: 240_000,
    output_tokens: 60_000,
    avg_tool_calls: 2,
    avg_steps: 3,
    avg_input_tokens: 2_400,
    avg_output_tokens: 600,
    avg_tokens: 3_000,
    ...partial,
  };
}

-- One row per (project, window, metric group, slice). A window re-emitted after late data or a
-- replay carries a higher revision and replaces the earlier row.
CREATE TABLE IF NOT EXISTS {{database}}.metric_windows (
  project_id String,
  window_start_ms UInt64,
  window_size_s UInt32,
  window_start DateTime MATERIALIZED toDateTime(intDiv(window_start_ms, 1000)),
  metric_group {{lc String}},
  slice_dimension {{lc String}},
  slice_value String,
  revision UInt64,
  trace_count UInt64,
  completed_count UInt64,
  strong_completed_count UInt64,
  completion_rate Float64,
  strong_completion_rate Float64,
  latency_p50_ms Float64,
  latency_p95_ms Float64,
  latency_p99_ms Float64,
  cost_total_usd Float64,
  cost_avg_usd Float64,
  cost_per_successful_task_usd Float64,
  tool_call_count UInt64,
  tool_error_count UInt64,
  error_rate Float64,
  tool_failure_rate Float64,
  llm_refusal_rate Float64,
  timeout_rate Float64,
  abandonment_rate Float64,
  hallucination_rate Float64,
  avg_tool_calls Float64,
  avg_steps Float64,
  avg_tokens Float64,
  window_json String
) ENGINE = ReplacingMergeTree(revision)
PARTITION BY toYYYYMM(window_start)
ORDER BY (project_id, window_start, metric_group, slice_dimension, slice_value, window_size_s)
{{#ttl}}TTL window_start + INTERVAL {{retention_days}} DAY{{/ttl}};

-- Spans of traces NOT sampled when they closed, kept for SESSIONIZER_LATE_SPANS_WINDOW_S only:
-- a trace revised into a failure within that window (negative rating, escalation, hallucination
-- caught, safety flag) has them copied into `spans`. Partitioned by day so the sessionizer drops
-- whole days past the window (DROP PARTITION: cheap, and works on servers without TTL).
CREATE TABLE IF NOT EXISTS {{database}}.spans_recent (
  project_id String,
  trace_id String,
  span_id String,
  parent_span_id String,
  operation {{lc String}},
  name String,
  start_time_ms UInt64,
  end_time_ms UInt64,
  duration_ms UInt64,
  start_time DateTime MATERIALIZED toDateTime(intDiv(start_time_ms, 1000)),
  status {{lc String}},
  error_message String,
  error_type {{lc String}},
  model {{lc String}},
  input_tokens UInt64,
  output_tokens UInt64,
  cache_read_tokens UInt64,
  cache_write_tokens UInt64,
  tool_name {{lc String}},
  attributes_json String,
  events_json String,
  stored_at_ms UInt64,
  stored_day Date MATERIALIZED toDate(toDateTime(intDiv(stored_at_ms, 1000)))
) ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMMDD(stored_day)
ORDER BY (project_id, trace_id, span_id);

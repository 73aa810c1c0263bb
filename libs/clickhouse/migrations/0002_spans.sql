-- Full spans of sampled traces only (tail sampling decides). Identical re-inserts after a replay
-- collapse on (project_id, day, trace_id, span_id).
CREATE TABLE IF NOT EXISTS {{database}}.spans (
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
  events_json String
) ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(start_time)
ORDER BY (project_id, toDate(start_time), trace_id, span_id)
{{#ttl}}TTL start_time + INTERVAL {{retention_days}} DAY{{/ttl}};

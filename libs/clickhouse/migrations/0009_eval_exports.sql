-- Traces `agentmon eval-candidates` exported into eval sets: the next export skips them unless
-- --include-exported. One row per (project, trace) survives; the latest export wins.
CREATE TABLE IF NOT EXISTS {{database}}.eval_exports (
  project_id String,
  trace_id String,
  export_id String,
  exported_at_ms UInt64,
  exported_at DateTime MATERIALIZED toDateTime(intDiv(exported_at_ms, 1000)),
  kind {{lc String}},
  failure_type {{lc String}},
  file String
) ENGINE = ReplacingMergeTree(exported_at_ms)
PARTITION BY toYYYYMM(exported_at)
ORDER BY (project_id, trace_id)
{{#ttl}}TTL exported_at + INTERVAL {{retention_days}} DAY{{/ttl}};

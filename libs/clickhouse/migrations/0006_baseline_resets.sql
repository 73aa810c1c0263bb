-- Baseline resets requested with `agentmon baseline reset` (who, when, why, scope): the audit log
-- `agentmon alerts` shows next to the alerts. Empty scope columns mean "every value".
CREATE TABLE IF NOT EXISTS {{database}}.baseline_resets (
  reset_id String,
  requested_at_ms UInt64,
  requested_at DateTime MATERIALIZED toDateTime(intDiv(requested_at_ms, 1000)),
  requested_by String,
  reason String,
  project_id String,
  metric {{lc String}},
  slice_dimension {{lc String}},
  slice_value String
) ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(requested_at)
ORDER BY (requested_at, reset_id)
{{#ttl}}TTL requested_at + INTERVAL {{retention_days}} DAY{{/ttl}};

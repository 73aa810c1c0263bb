-- The alert log (every firing/resolved state change) and the delivery record of each alert.
CREATE TABLE IF NOT EXISTS {{database}}.alerts (
  project_id String,
  occurred_at_ms UInt64,
  occurred_at DateTime MATERIALIZED toDateTime(intDiv(occurred_at_ms, 1000)),
  alert_id String,
  fingerprint String,
  state {{lc String}},
  severity {{lc String}},
  metric {{lc String}},
  slice_dimension {{lc String}},
  slice_value String,
  message String,
  current_value Float64,
  baseline Float64,
  threshold Float64
) ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (project_id, occurred_at, alert_id, state)
{{#ttl}}TTL occurred_at + INTERVAL {{retention_days}} DAY{{/ttl}};

-- revision grows with each attempt, so the latest delivery status wins.
CREATE TABLE IF NOT EXISTS {{database}}.alert_deliveries (
  project_id String,
  alert_occurred_at_ms UInt64,
  alert_occurred_at DateTime MATERIALIZED toDateTime(intDiv(alert_occurred_at_ms, 1000)),
  alert_id String,
  channel String,
  status {{lc String}},
  attempts UInt32,
  last_error String,
  updated_at_ms UInt64,
  revision UInt64
) ENGINE = ReplacingMergeTree(revision)
PARTITION BY toYYYYMM(alert_occurred_at)
ORDER BY (project_id, alert_occurred_at, alert_id, channel)
{{#ttl}}TTL alert_occurred_at + INTERVAL {{retention_days}} DAY{{/ttl}};

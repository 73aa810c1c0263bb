-- Every decision the notifier took about an alert (sent, silenced, cooldown, inhibited, grouped,
-- digest…), the input of the daily digest. A replay decides the same alert again: one row per
-- (alert, reason) survives.
CREATE TABLE IF NOT EXISTS {{database}}.notifier_decisions (
  project_id String,
  decided_at_ms UInt64,
  decided_at DateTime MATERIALIZED toDateTime(intDiv(decided_at_ms, 1000)),
  alert_id String,
  reason {{lc String}},
  fingerprint String,
  metric {{lc String}},
  severity {{lc String}},
  state {{lc String}},
  slice_dimension {{lc String}},
  slice_value String,
  notification_id String,
  silence_id String,
  inhibit_rule_id String,
  inhibited_by String,
  detail String,
  alert_json String
) ENGINE = ReplacingMergeTree(decided_at_ms)
PARTITION BY toYYYYMM(decided_at)
ORDER BY (project_id, alert_id, reason)
{{#ttl}}TTL decided_at + INTERVAL {{retention_days}} DAY{{/ttl}};

-- Every POST to the Slack webhook (or log-only delivery) of every message, alert or digest.
-- round: the delivery round (0 first; a parked message is tried again in later rounds).
CREATE TABLE IF NOT EXISTS {{database}}.notification_attempts (
  project_id String,
  attempted_at_ms UInt64,
  attempted_at DateTime MATERIALIZED toDateTime(intDiv(attempted_at_ms, 1000)),
  notification_id String,
  kind {{lc String}},
  metric {{lc String}},
  round UInt32,
  attempt UInt32,
  http_status UInt16,
  outcome {{lc String}},
  latency_ms UInt32,
  error String,
  retry_after_ms UInt64
) ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(attempted_at)
ORDER BY (project_id, notification_id, round, attempt)
{{#ttl}}TTL attempted_at + INTERVAL {{retention_days}} DAY{{/ttl}};

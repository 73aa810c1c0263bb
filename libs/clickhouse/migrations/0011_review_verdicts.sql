-- Verdicts reviewers record in the console on the week's review traces: good, bad, or
-- add_to_eval_set (which `agentmon eval-candidates` exports first). One row per (project, trace)
-- survives, the latest decision winning. No PARTITION BY: a verdict changed in a later month must
-- still replace the earlier one (ReplacingMergeTree only merges within a partition), and a few
-- hundred verdicts a week never need partition pruning. Readers take argMax(…, decided_at_ms)
-- so an unmerged pair reads right on every server version.
CREATE TABLE IF NOT EXISTS {{database}}.review_verdicts (
  project_id String,
  trace_id String,
  verdict {{lc String}},
  reviewer String,
  note String,
  week_start_ms UInt64,
  decided_at_ms UInt64,
  decided_at DateTime MATERIALIZED toDateTime(intDiv(decided_at_ms, 1000))
) ENGINE = ReplacingMergeTree(decided_at_ms)
ORDER BY (project_id, trace_id)
{{#ttl}}TTL decided_at + INTERVAL {{retention_days}} DAY{{/ttl}};

-- The aggregator's windows carry their sums next to the derived rates, so ops queries divide
-- sums (never average averages) across windows, slices and rollups. The overall row of each
-- window (slice_dimension 'all') also stores its combined partial (every slice's sums and
-- latency sketch buckets) as partial_json: rollups re-merge them, and a lost Redis can be
-- rebuilt from ClickHouse. Hourly and daily rollups share the table (window_size_s 3600/86400).
-- One ALTER (18.16 has no ADD COLUMN IF NOT EXISTS): its clauses are applied together.
ALTER TABLE {{database}}.metric_windows
  ADD COLUMN computed_at_ms UInt64 DEFAULT 0,
  ADD COLUMN completion_gap Float64 DEFAULT 0,
  ADD COLUMN traffic_share Float64 DEFAULT 0,
  ADD COLUMN step_count UInt64 DEFAULT 0,
  ADD COLUMN input_tokens UInt64 DEFAULT 0,
  ADD COLUMN output_tokens UInt64 DEFAULT 0,
  ADD COLUMN tool_failure_count UInt64 DEFAULT 0,
  ADD COLUMN llm_refusal_count UInt64 DEFAULT 0,
  ADD COLUMN timeout_count UInt64 DEFAULT 0,
  ADD COLUMN abandonment_count UInt64 DEFAULT 0,
  ADD COLUMN hallucination_count UInt64 DEFAULT 0,
  ADD COLUMN safety_flagged_count UInt64 DEFAULT 0,
  ADD COLUMN partial_json String DEFAULT '';

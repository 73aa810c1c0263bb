-- The aggregator's windows carry their sums next to the derived rates, so ops queries divide
-- sums (never average averages) across windows, slices and rollups. The overall row of each
-- window (slice_dimension 'all') also stores its combined partial (every slice's sums and
-- latency sketch buckets) as partial_json: rollups re-merge them, and a lost Redis can be
-- rebuilt from ClickHouse. Hourly and daily rollups share the table (window_size_s 3600/86400).
ALTER TABLE {{database}}.metric_windows ADD COLUMN IF NOT EXISTS computed_at_ms UInt64 DEFAULT 0;
ALTER TABLE {{database}}.metric_windows ADD COLUMN IF NOT EXISTS completion_gap Float64 DEFAULT 0;
ALTER TABLE {{database}}.metric_windows ADD COLUMN IF NOT EXISTS traffic_share Float64 DEFAULT 0;
ALTER TABLE {{database}}.metric_windows ADD COLUMN IF NOT EXISTS step_count UInt64 DEFAULT 0;
ALTER TABLE {{database}}.metric_windows ADD COLUMN IF NOT EXISTS input_tokens UInt64 DEFAULT 0;
ALTER TABLE {{database}}.metric_windows ADD COLUMN IF NOT EXISTS output_tokens UInt64 DEFAULT 0;
ALTER TABLE {{database}}.metric_windows ADD COLUMN IF NOT EXISTS tool_failure_count UInt64 DEFAULT 0;
ALTER TABLE {{database}}.metric_windows ADD COLUMN IF NOT EXISTS llm_refusal_count UInt64 DEFAULT 0;
ALTER TABLE {{database}}.metric_windows ADD COLUMN IF NOT EXISTS timeout_count UInt64 DEFAULT 0;
ALTER TABLE {{database}}.metric_windows ADD COLUMN IF NOT EXISTS abandonment_count UInt64 DEFAULT 0;
ALTER TABLE {{database}}.metric_windows ADD COLUMN IF NOT EXISTS hallucination_count UInt64 DEFAULT 0;
ALTER TABLE {{database}}.metric_windows ADD COLUMN IF NOT EXISTS safety_flagged_count UInt64 DEFAULT 0;
ALTER TABLE {{database}}.metric_windows ADD COLUMN IF NOT EXISTS partial_json String DEFAULT '';

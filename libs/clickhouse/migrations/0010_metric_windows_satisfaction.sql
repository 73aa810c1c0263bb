-- User satisfaction per window and slice (libs/aggregator-domain/SATISFACTION.md): explicit
-- rating counts with coverage and the positive share's Wilson 95 % interval, the implicit signal
-- counts and rates, and the implicit satisfaction index. Counts are stored next to the rates so
-- ops queries divide sums across windows, slices and rollups. Null rates (nothing rated, no
-- signal) are stored as 0 like the other rates; `rating_positive_count + rating_negative_count`
-- (and the window_json) say whether a 0 is a measurement.
-- One ALTER (18.16 has no ADD COLUMN IF NOT EXISTS): its clauses are applied together.
ALTER TABLE {{database}}.metric_windows
  ADD COLUMN rating_positive_count UInt64 DEFAULT 0,
  ADD COLUMN rating_negative_count UInt64 DEFAULT 0,
  ADD COLUMN rating_coverage Float64 DEFAULT 0,
  ADD COLUMN positive_share Float64 DEFAULT 0,
  ADD COLUMN positive_share_low Float64 DEFAULT 0,
  ADD COLUMN positive_share_high Float64 DEFAULT 0,
  ADD COLUMN accepted_count UInt64 DEFAULT 0,
  ADD COLUMN corrected_count UInt64 DEFAULT 0,
  ADD COLUMN abandoned_count UInt64 DEFAULT 0,
  ADD COLUMN follow_up_count UInt64 DEFAULT 0,
  ADD COLUMN output_copied_count UInt64 DEFAULT 0,
  ADD COLUMN accepted_rate Float64 DEFAULT 0,
  ADD COLUMN corrected_rate Float64 DEFAULT 0,
  ADD COLUMN abandoned_rate Float64 DEFAULT 0,
  ADD COLUMN follow_up_rate Float64 DEFAULT 0,
  ADD COLUMN copied_rate Float64 DEFAULT 0,
  ADD COLUMN satisfaction_index Float64 DEFAULT 0;

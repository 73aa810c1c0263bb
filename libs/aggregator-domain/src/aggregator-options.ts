/** Tuning of the event-time windows; the app maps AGGREGATOR_* configuration onto these. */
export interface AggregatorOptions {
  /** Tumbling window size on trace end time. */
  windowSizeMs: number;
  /** How far behind a partition's watermark a trace may end and still count on time. */
  allowedLatenessMs: number;
  /** Processing time without a record after which a partition closes every open window. */
  idleCloseMs: number;
  /** Values kept per project, window and dimension; the rest fold into "other". */
  maxValuesPerDimension: number;
  /**
   * A watermark never moves past now + this: one trace stamped in the future (a skewed agent
   * clock) must not close every open window. Backfill (times in the past) is unaffected.
   */
  maxClockSkewMs: number;
  /**
   * How long (event time, behind the closed boundary) a closed window's offset and generation
   * stay in memory once the partition's offsets passed it (a memory bound: a state is never
   * handed a record twice, and memos restored for a replay stay until the replay passes them).
   */
  closedRetentionMs: number;
  /**
   * Memory bound: open (partition, project, window) groups held at once. Past it the oldest
   * windows close early, down to 90 % of the bound; their later records make revisions, so
   * nothing is dropped (a shuffled backfill of many projects would otherwise hold them all).
   */
  maxOpenWindows: number;
}

export const DEFAULT_AGGREGATOR_OPTIONS: AggregatorOptions = {
  windowSizeMs: 60_000,
  allowedLatenessMs: 30_000,
  idleCloseMs: 60_000,
  maxValuesPerDimension: 50,
  maxClockSkewMs: 300_000,
  closedRetentionMs: 6 * 3_600_000,
  maxOpenWindows: 20_000,
};

export function resolveAggregatorOptions(
  options: Partial<AggregatorOptions> = {},
): AggregatorOptions {
  const resolved = { ...DEFAULT_AGGREGATOR_OPTIONS, ...options };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isInteger(value) || value < 0) {
      throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
    }
  }
  if (resolved.windowSizeMs <= 0) throw new RangeError('windowSizeMs must be positive');
  if (resolved.maxValuesPerDimension < 1) {
    throw new RangeError('maxValuesPerDimension must be at least 1');
  }
  return resolved;
}

import type { MetricWindow } from '@agentmon/contracts';
import type { PartialWindow } from '@agentmon/aggregator-domain';

/** What is remembered of a stored partial to skip replays after a restart or a rebalance. */
export type PartialMemo = Pick<
  PartialWindow,
  'partition' | 'project_id' | 'window_start' | 'generation' | 'through_offset'
>;

/**
 * How far a partition has passed in event time, as its owner reports it: windows ending at or
 * before `passedThrough` will get no new on-time partial from it (`Infinity` when it is idle
 * with nothing open, `-Infinity` before it closed anything).
 */
export interface PartitionMark {
  partition: number;
  passedThrough: number;
}

/** One series window whose merge this instance claimed: its partials as stored, and their version. */
export interface ClaimedWindow {
  projectId: string;
  windowStart: number;
  /** Number of distinct partials stored for the window: the merged window's revision. */
  version: number;
  partials: PartialWindow[];
  /** Opaque lease token, handed back on completion. */
  lease: number;
}

/** A window to store: the overall row of a window also carries its combined partial. */
export interface WindowRow {
  window: MetricWindow;
  partial?: PartialWindow;
}

/** Which rollup a combined partial feeds: minute partials feed an hour, hourly ones a day. */
export type RollupLevel = 'hour' | 'day';

/**
 * Everything the aggregator reads from or writes to the outside world (Redis for the
 * cross-instance state, ClickHouse, Redis hot keys and the metrics topic for the windows).
 * Adapters live in ../sinks; the stage spec uses an in-memory implementation.
 */
export interface AggregatorSinks {
  /**
   * This instance now owns the partition: bumps its owner epoch (fencing writes of a previous
   * owner that still runs) and returns the memos of its stored partials.
   */
  claimPartition(partition: number): Promise<{ epoch: number; memos: PartialMemo[] }>;
  /**
   * Stores closed partials and partition marks, each only if `epochs` still names this
   * instance's ownership. Idempotent per (partition, project, window, first offset). Memos of
   * a partition wholly below its horizon (the group's committed offset) are dropped. Returns
   * the partitions whose writes were fenced off (another instance owns them now).
   */
  storePartials(
    partials: readonly PartialWindow[],
    marks: readonly PartitionMark[],
    epochs: ReadonlyMap<number, number>,
    memoHorizons: ReadonlyMap<number, number>,
  ): Promise<number[]>;
  /** Atomically claims up to `limit` series windows every partition has passed (or whose lease expired). */
  claimMerges(now: number, limit: number): Promise<ClaimedWindow[]>;
  /**
   * Stores combined partials (generation = their revision) as inputs of the enclosing rollup
   * bucket, each only if newer than what is stored, and returns every stored input of each
   * bucket touched (in the order of `partials`' buckets, one entry per distinct bucket).
   */
  storeRollupInputs(
    level: RollupLevel,
    partials: readonly PartialWindow[],
  ): Promise<{ bucketStart: number; projectId: string; inputs: PartialWindow[] }[]>;
  /**
   * Makes windows durable: ClickHouse rows (minute windows and rollups), then the minute
   * windows on the metrics topic and in the Redis hot keys. Idempotent for the same
   * (series, window, revision).
   */
  writeWindows(rows: readonly WindowRow[], minuteWindows: readonly MetricWindow[]): Promise<void>;
  /** Releases claims once their windows are durable. */
  completeMerges(claims: readonly ClaimedWindow[]): Promise<void>;
}

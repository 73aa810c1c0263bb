import type { SerializedCell } from './aggregate-cell';
import type { SerializedMix } from './traffic-mix';

/**
 * What one aggregator instance knows about one project's window from one Kafka partition: the
 * cells of every slice (the overall `all` cell, at most maxValuesPerDimension values per
 * dimension, and "other"). Plain JSON, so the app can persist it (Redis/ClickHouse) and ship it
 * to the merge step.
 *
 * A partial is emitted once per *generation*: generation 0 holds what arrived on time; a record
 * for a window already closed on its partition opens the next generation, a delta (counts and
 * sketch buckets may be negative where a revision retracted an old contribution). The window of
 * a series is the sum of every generation of every partition, so closed partials are never
 * mutated and need not be kept in memory. (partition, project_id, window_start, generation)
 * identifies a partial; storing it again on a replay is idempotent.
 */
export interface PartialWindow {
  partition: number;
  project_id: string;
  window_start: number;
  window_size_ms: number;
  generation: number;
  /** Offset of the first record included (what the partition may commit up to, exclusive). */
  from_offset: number;
  /** Offset of the last record included: a replayed record at or below it is skipped. */
  through_offset: number;
  cells: SerializedCell[];
  /**
   * Project-level traffic-mix sums (tool-call buckets, safety flagged) for the overall window.
   * Optional so partials persisted before it existed still merge.
   */
  mix?: SerializedMix;
}

import { ALL_SLICE_VALUE, type TraceContribution, type TraceSummary } from '@agentmon/contracts';
import { AggregateCell, prepareContribution, type PreparedContribution } from './aggregate-cell';
import { resolveAggregatorOptions, type AggregatorOptions } from './aggregator-options';
import { BoundedSliceCells } from './bounded-slice-cells';
import type { PartialWindow } from './partial-window';
import { OTHER_SLICE_VALUE, SLICE_DIMENSIONS, sliceValue } from './slice-values';
import { MixCounts } from './traffic-mix';

/** One record of the traces topic as the consumer hands it over (offsets fit in a double). */
export interface TraceRecord {
  partition: number;
  offset: number;
  summary: TraceSummary;
}

/** What ingest did with a record; replays are expected after a crash and are not errors. */
export type IngestOutcome = 'applied' | 'replay_skipped';

interface OpenGroup {
  projectId: string;
  windowStart: number;
  generation: number;
  fromOffset: number;
  throughOffset: number;
  all: AggregateCell;
  dimensions: BoundedSliceCells[];
  mix: MixCounts;
}

/** What is remembered of a closed generation: enough to skip replays and number the next one. */
interface ClosedMemo {
  generation: number;
  throughOffset: number;
}

class PartitionState {
  watermark = -Infinity;
  /** Every window ending at or before this is closed on this partition. */
  closedThrough = -Infinity;
  lastRecordAt = -Infinity;
  lastOffset = -1;
  readonly open = new Map<string, Map<number, OpenGroup>>();
  readonly closed = new Map<string, Map<number, ClosedMemo>>();
  openCount = 0;
}

function nestedGet<V>(map: Map<string, Map<number, V>>, a: string, b: number): V | undefined {
  return map.get(a)?.get(b);
}

function nestedSet<V>(map: Map<string, Map<number, V>>, a: string, b: number, value: V): void {
  let inner = map.get(a);
  if (inner === undefined) map.set(a, (inner = new Map()));
  inner.set(b, value);
}

/**
 * Event-time tumbling windows over the traces topic, per Kafka partition, producing
 * `PartialWindow`s (see there and ADR 0008). Pure: the caller passes processing time in.
 *
 * - The watermark of a partition is the highest `ended_at` seen on it. A window closes when the
 *   watermark reaches its end + allowed lateness, or when the partition has been idle for
 *   idleCloseMs of processing time (then every open window closes). Both rules read event time
 *   only, except idleness, so history sent quickly gives the same windows as live traffic.
 * - A revision carries `previous_contribution`: it is retracted from the window it was in and
 *   the new contribution added where the trace belongs now.
 * - A record for a window already closed on its partition opens the next generation of that
 *   window (a revision), never a drop.
 */
export class WindowAggregator {
  readonly options: AggregatorOptions;
  private readonly partitions = new Map<number, PartitionState>();
  private closedEarly = 0;
  private readonly scratch: PreparedContribution = {
    latencyKey: 0,
    costNanos: 0,
    toolCostNanos: 0,
  };

  constructor(options: Partial<AggregatorOptions> = {}) {
    this.options = resolveAggregatorOptions(options);
  }

  ingest(record: TraceRecord, now: number): IngestOutcome {
    const { partition, offset, summary } = record;
    const state = this.partitionState(partition);
    const previous = summary.previous_contribution ?? null;
    // Resolve both groups before touching either: old and new may share a window, and the
    // replay check must see the group's offset from before this record.
    const target = this.groupFor(state, summary.project_id, summary.ended_at, offset);
    const source =
      previous === null
        ? null
        : this.groupFor(state, summary.project_id, previous.ended_at, offset);
    const flagged = summary.safety_flagged;
    if (source !== null) this.apply(source, previous!, -1, offset, previous!.safety_flagged);
    if (target !== null) this.apply(target, summary, 1, offset, flagged);

    const eventTime = Math.min(summary.ended_at, now + this.options.maxClockSkewMs);
    if (eventTime > state.watermark) {
      state.watermark = eventTime;
      state.closedThrough = Math.max(
        state.closedThrough,
        eventTime - this.options.allowedLatenessMs,
      );
    }
    state.lastRecordAt = now;
    if (offset > state.lastOffset) state.lastOffset = offset;
    return target === null && (previous === null || source === null) ? 'replay_skipped' : 'applied';
  }

  /**
   * Closes what is due at `now` and returns the closed partials, ordered by project, window and
   * partition. A partial with generation > 0, or whose window the merge step already emitted,
   * is a revision of that window.
   */
  poll(now: number): PartialWindow[] {
    const closed: PartialWindow[] = [];
    const size = this.options.windowSizeMs;
    for (const [partition, state] of this.partitions) {
      if (state.openCount > 0 && now - state.lastRecordAt >= this.options.idleCloseMs) {
        for (const windows of state.open.values()) {
          for (const start of windows.keys()) {
            state.closedThrough = Math.max(state.closedThrough, start + size);
          }
        }
      }
      for (const windows of state.open.values()) {
        for (const [start, group] of windows) {
          if (start + size <= state.closedThrough) this.close(partition, state, group, closed);
        }
      }
      this.forgetOldClosed(state);
    }
    const open = this.openWindowCount();
    if (open > this.options.maxOpenWindows)
      this.closeOldest(open - Math.floor(this.options.maxOpenWindows * 0.9), closed);
    return closed.sort(
      (a, b) =>
        (a.project_id < b.project_id ? -1 : a.project_id > b.project_id ? 1 : 0) ||
        a.window_start - b.window_start ||
        a.partition - b.partition,
    );
  }

  /**
   * After a restart: remember the closed generations the app persisted, so replayed records
   * already inside them are skipped and the next revision gets the next generation number.
   */
  restore(partials: readonly PartialWindow[]): void {
    for (const p of partials) {
      const state = this.partitionState(p.partition);
      const memo = nestedGet(state.closed, p.project_id, p.window_start);
      if (memo === undefined || p.generation > memo.generation) {
        nestedSet(state.closed, p.project_id, p.window_start, {
          generation: p.generation,
          throughOffset: Math.max(p.through_offset, memo?.throughOffset ?? -1),
        });
      } else {
        memo.throughOffset = Math.max(memo.throughOffset, p.through_offset);
      }
    }
  }

  /** Forgets a partition this instance lost in a rebalance (its open windows are abandoned). */
  dropPartition(partition: number): void {
    this.partitions.delete(partition);
  }

  watermark(partition: number): number | null {
    const w = this.partitions.get(partition)?.watermark;
    return w === undefined || w === -Infinity ? null : w;
  }

  /** Windows ending at or before this are closed on the partition (null before any record). */
  closedThrough(partition: number): number | null {
    const c = this.partitions.get(partition)?.closedThrough;
    return c === undefined || c === -Infinity ? null : c;
  }

  /**
   * The offset the consumer may commit once every partial returned so far is durable: the first
   * offset of the oldest open window, else the next offset. A crash replays from there and
   * rebuilds exactly the open windows.
   */
  committableOffset(partition: number): number | null {
    const state = this.partitions.get(partition);
    if (state === undefined || state.lastOffset < 0) return null;
    let min = state.lastOffset + 1;
    for (const windows of state.open.values()) {
      for (const group of windows.values()) min = Math.min(min, group.fromOffset);
    }
    return min;
  }

  /** Groups closed before their time to keep within maxOpenWindows (a counter). */
  get closedEarlyCount(): number {
    return this.closedEarly;
  }

  /** Open windows of one partition, or of all when no partition is given. */
  openWindowCount(partition?: number): number {
    if (partition !== undefined) return this.partitions.get(partition)?.openCount ?? 0;
    let count = 0;
    for (const state of this.partitions.values()) count += state.openCount;
    return count;
  }

  private partitionState(partition: number): PartitionState {
    let state = this.partitions.get(partition);
    if (state === undefined) this.partitions.set(partition, (state = new PartitionState()));
    return state;
  }

  private groupFor(
    state: PartitionState,
    projectId: string,
    endedAt: number,
    offset: number,
  ): OpenGroup | null {
    const size = this.options.windowSizeMs;
    const start = Math.floor(endedAt / size) * size;
    const open = nestedGet(state.open, projectId, start);
    if (open !== undefined) return offset <= open.throughOffset ? null : open;
    const memo = nestedGet(state.closed, projectId, start);
    if (memo !== undefined && offset <= memo.throughOffset) return null;
    const late = start + size <= state.closedThrough;
    const group: OpenGroup = {
      projectId,
      windowStart: start,
      // A first group of an already-closed window is a revision too: generation 1.
      generation: memo !== undefined ? memo.generation + 1 : late ? 1 : 0,
      fromOffset: offset,
      throughOffset: -1,
      all: new AggregateCell(),
      dimensions: SLICE_DIMENSIONS.map(
        () => new BoundedSliceCells(this.options.maxValuesPerDimension),
      ),
      mix: new MixCounts(),
    };
    nestedSet(state.open, projectId, start, group);
    state.openCount++;
    return group;
  }

  // The hot path: one prepare, then nine cell updates with no allocation once cells exist.
  private apply(
    group: OpenGroup,
    c: TraceContribution,
    sign: 1 | -1,
    offset: number,
    safetyFlagged: boolean,
  ): void {
    const p = prepareContribution(c, this.scratch);
    group.all.add(c, p, sign);
    group.mix.add(c.tool_call_count, safetyFlagged, sign);
    for (let i = 0; i < SLICE_DIMENSIONS.length; i++) {
      group.dimensions[i]!.cellFor(sliceValue(SLICE_DIMENSIONS[i]!, c)).add(c, p, sign);
    }
    group.throughOffset = offset;
  }

  private toPartial(partition: number, group: OpenGroup): PartialWindow {
    const cells = [group.all.toJSON('all', ALL_SLICE_VALUE)];
    SLICE_DIMENSIONS.forEach((dimension, i) => {
      const bounded = group.dimensions[i]!;
      const values = [...bounded.kept.keys()].sort();
      for (const value of values)
        cells.push(bounded.kept.get(value)!.cell.toJSON(dimension, value));
      if (bounded.other !== null) cells.push(bounded.other.toJSON(dimension, OTHER_SLICE_VALUE));
    });
    return {
      partition,
      project_id: group.projectId,
      window_start: group.windowStart,
      window_size_ms: this.options.windowSizeMs,
      generation: group.generation,
      from_offset: group.fromOffset,
      through_offset: group.throughOffset,
      cells,
      mix: group.mix.toJSON(),
    };
  }

  /** Closes the `count` open groups with the oldest windows, whatever their partition. */
  private closeOldest(count: number, closed: PartialWindow[]): void {
    const candidates: { partition: number; state: PartitionState; group: OpenGroup }[] = [];
    for (const [partition, state] of this.partitions) {
      for (const windows of state.open.values()) {
        for (const group of windows.values()) candidates.push({ partition, state, group });
      }
    }
    candidates.sort((a, b) => a.group.windowStart - b.group.windowStart);
    for (const { partition, state, group } of candidates.slice(0, count)) {
      this.close(partition, state, group, closed);
      this.closedEarly++;
    }
  }

  /** The group's partial out, a memo of it kept (replays skip it, later records revise it). */
  private close(
    partition: number,
    state: PartitionState,
    group: OpenGroup,
    closed: PartialWindow[],
  ): void {
    closed.push(this.toPartial(partition, group));
    nestedSet(state.closed, group.projectId, group.windowStart, {
      generation: group.generation,
      throughOffset: group.throughOffset,
    });
    const windows = state.open.get(group.projectId)!;
    windows.delete(group.windowStart);
    if (windows.size === 0) state.open.delete(group.projectId);
    state.openCount--;
  }

  /**
   * Memory bound: forgets memos older than closedRetentionMs of event time, except those a
   * replay still has to meet (restored memos reaching past the last offset seen here). Records
   * are never handed twice to one state (the runtime skips what it holds), so a memo at or
   * below the last offset has no replay left to skip.
   */
  private forgetOldClosed(state: PartitionState): void {
    const horizon = state.closedThrough - this.options.closedRetentionMs;
    for (const [projectId, windows] of state.closed) {
      for (const [start, memo] of windows) {
        if (start + this.options.windowSizeMs < horizon && memo.throughOffset <= state.lastOffset)
          windows.delete(start);
      }
      if (windows.size === 0) state.closed.delete(projectId);
    }
  }
}

import { ALL_SLICE_VALUE, type MetricWindow } from '@agentmon/contracts';
import { AggregateCell } from './aggregate-cell';
import { DEFAULT_AGGREGATOR_OPTIONS } from './aggregator-options';
import { deriveMetricWindow } from './derive-metric-window';
import type { PartialWindow } from './partial-window';
import { compareSliceRank, sliceValueHash } from './slice-value-rank';
import type { SatisfactionWeights } from './satisfaction';
import { OTHER_SLICE_VALUE, SLICE_DIMENSIONS, type SlicedDimension } from './slice-values';
import { MixCounts, TOOL_CALLS_MIX_KEY } from './traffic-mix';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export interface MergeOptions {
  computedAt: number;
  maxValuesPerDimension?: number;
  /**
   * Output window size: the partials' own size by default; a multiple of it for rollups
   * (partials are re-bucketed by floor(window_start / size) × size).
   */
  windowSizeMs?: number;
  /**
   * The revision to stamp. By default the sum of the merged partials' generations: 0 for a
   * window made of on-time partials only, and one more for every later delta generation.
   */
  revision?: number;
  /** Weights of the implicit satisfaction index (AGGREGATOR_SATISFACTION_WEIGHT_*). */
  satisfactionWeights?: SatisfactionWeights;
}

interface SeriesGroup {
  projectId: string;
  windowStart: number;
  revision: number;
  all: AggregateCell;
  values: Map<SlicedDimension, Map<string, AggregateCell>>;
  other: Map<SlicedDimension, AggregateCell>;
  mix: MixCounts;
}

function addInto<K>(map: Map<K, AggregateCell>, key: K, cell: AggregateCell): void {
  const existing = map.get(key);
  if (existing === undefined) map.set(key, cell);
  else existing.merge(cell);
}

/**
 * The merge step: partials of any partitions and generations → one MetricWindow per series
 * (project, 'traces', slice) and window. Sums are added, sketches merged bucket by bucket, and
 * every metric derived once, so the result does not depend on how traces were spread over
 * partitions or instances. Per dimension the `maxValuesPerDimension` lowest-ranked values
 * survive (the same rule partials use, hence exact); the rest and every partial's "other" fold
 * into "other". Output order: by project, window, then `all`, dimensions in SLICE_DIMENSIONS
 * order, values sorted, "other" last.
 */
export function mergePartials(
  partials: readonly PartialWindow[],
  options: MergeOptions,
): MetricWindow[] {
  const limit = options.maxValuesPerDimension ?? DEFAULT_AGGREGATOR_OPTIONS.maxValuesPerDimension;
  const { groups, size } = groupPartials(partials, options.windowSizeMs);
  const windows: MetricWindow[] = [];
  for (const group of groups) {
    const identity = {
      projectId: group.projectId,
      windowStart: group.windowStart,
      windowSizeMs: size,
      revision: options.revision ?? group.revision,
      computedAt: options.computedAt,
      projectTraceCount: group.all.traceCount,
      satisfactionWeights: options.satisfactionWeights,
    };
    const bounded = boundDimensions(group, limit);
    const overall = deriveMetricWindow(group.all, {
      ...identity,
      slice: { dimension: 'all', value: ALL_SLICE_VALUE },
    });
    const mix: Record<string, Record<string, number>> = {};
    for (const { dimension, cells } of bounded) {
      const counts: Record<string, number> = {};
      for (const { value, cell } of cells)
        if (cell.traceCount !== 0) counts[value] = cell.traceCount;
      mix[dimension] = counts;
    }
    mix[TOOL_CALLS_MIX_KEY] = group.mix.toolCallDistribution();
    overall.traffic_mix = mix;
    overall.safety_flagged_count = group.mix.safetyFlagged;
    windows.push(overall);
    for (const { dimension, cells } of bounded) {
      for (const { value, cell } of cells) {
        windows.push(deriveMetricWindow(cell, { ...identity, slice: { dimension, value } }));
      }
    }
  }
  return windows;
}

/**
 * Several partials → one partial per (project, window of `windowSizeMs`): the same sums and
 * the same bounded-cardinality rule as the merge, kept mergeable. The aggregator stores the
 * combination of a minute window's partials with the window, so hourly and daily rollups
 * re-merge one combined partial per minute (per hour) instead of every partition's.
 * `partition` is -1 and `generation` the given revision; offsets are meaningless (-1).
 */
export function combinePartials(
  partials: readonly PartialWindow[],
  options: { revision: number; maxValuesPerDimension?: number; windowSizeMs?: number },
): PartialWindow[] {
  const limit = options.maxValuesPerDimension ?? DEFAULT_AGGREGATOR_OPTIONS.maxValuesPerDimension;
  const { groups, size } = groupPartials(partials, options.windowSizeMs);
  return groups.map((group) => {
    const cells = [group.all.toJSON('all', ALL_SLICE_VALUE)];
    for (const { dimension, cells: bounded } of boundDimensions(group, limit)) {
      for (const { value, cell } of bounded) cells.push(cell.toJSON(dimension, value));
    }
    return {
      partition: -1,
      project_id: group.projectId,
      window_start: group.windowStart,
      window_size_ms: size,
      generation: options.revision,
      from_offset: -1,
      through_offset: -1,
      cells,
      mix: group.mix.toJSON(),
    };
  });
}

function groupPartials(
  partials: readonly PartialWindow[],
  windowSizeMs: number | undefined,
): { groups: SeriesGroup[]; size: number } {
  const groups = new Map<string, SeriesGroup>();
  let size: number | undefined = windowSizeMs;
  for (const partial of partials) {
    const targetSize = windowSizeMs ?? partial.window_size_ms;
    if (size === undefined) size = targetSize;
    if (targetSize % partial.window_size_ms !== 0 || targetSize !== size) {
      throw new RangeError(
        `cannot merge ${partial.window_size_ms} ms partials into ${size} ms windows`,
      );
    }
    const windowStart = Math.floor(partial.window_start / targetSize) * targetSize;
    const key = `${partial.project_id}\u0000${windowStart}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = {
        projectId: partial.project_id,
        windowStart,
        revision: 0,
        all: new AggregateCell(),
        values: new Map(),
        other: new Map(),
        mix: new MixCounts(),
      };
      groups.set(key, group);
    }
    group.revision += partial.generation;
    if (partial.mix !== undefined) group.mix.mergeJSON(partial.mix);
    for (const json of partial.cells) {
      const cell = AggregateCell.fromJSON(json);
      if (json.dimension === 'all') {
        group.all.merge(cell);
      } else if (json.value === OTHER_SLICE_VALUE) {
        addInto(group.other, json.dimension, cell);
      } else {
        let values = group.values.get(json.dimension);
        if (values === undefined) group.values.set(json.dimension, (values = new Map()));
        addInto(values, json.value, cell);
      }
    }
  }
  const ordered = [...groups.values()].sort(
    (a, b) =>
      (a.projectId < b.projectId ? -1 : a.projectId > b.projectId ? 1 : 0) ||
      a.windowStart - b.windowStart,
  );
  return { groups: ordered, size: size ?? windowSizeMs ?? DEFAULT_AGGREGATOR_OPTIONS.windowSizeMs };
}

/** Per dimension: the `limit` lowest-ranked values (sorted), then "other" when anything folded. */
function boundDimensions(
  group: SeriesGroup,
  limit: number,
): { dimension: SlicedDimension; cells: { value: string; cell: AggregateCell }[] }[] {
  return SLICE_DIMENSIONS.map((dimension) => {
    const values = group.values.get(dimension) ?? new Map<string, AggregateCell>();
    const ranked = [...values.keys()]
      .map((value) => ({ value, hash: sliceValueHash(value) }))
      .sort((a, b) => compareSliceRank(a.hash, a.value, b.hash, b.value));
    let other = group.other.get(dimension);
    for (const { value } of ranked.slice(limit)) {
      other ??= new AggregateCell();
      other.merge(values.get(value)!);
    }
    const kept = ranked.slice(0, limit).map((r) => r.value);
    const cells = kept.sort().map((value) => ({ value, cell: values.get(value)! }));
    if (other !== undefined) cells.push({ value: OTHER_SLICE_VALUE, cell: other });
    return { dimension, cells };
  });
}

/**
 * Hourly or daily windows from the partials of smaller windows: the same merge over a coarser
 * bucket, so the rollup equals computing that window directly from the traces.
 */
export function rollupPartials(
  partials: readonly PartialWindow[],
  windowSizeMs: number,
  options: Omit<MergeOptions, 'windowSizeMs'>,
): MetricWindow[] {
  return mergePartials(partials, { ...options, windowSizeMs });
}

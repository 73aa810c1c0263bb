import type { TraceSummary } from '@agentmon/contracts';
import type { AggregatorOptions } from '../aggregator-options';
import type { PartialWindow } from '../partial-window';
import { WindowAggregator } from '../window-aggregator';

export interface RunOptions {
  /** Which partition a trace goes to (the topic is keyed by trace id). */
  partitionOf?: (summary: TraceSummary, index: number) => number;
  /** Which instance owns a partition; default one instance for all. */
  instanceOf?: (partition: number) => number;
  options?: Partial<AggregatorOptions>;
  /** Processing time of each record; default its closed_at (live traffic). */
  nowOf?: (summary: TraceSummary, index: number) => number;
  /** Poll after every n-th record (the app polls per batch); 1 by default. */
  pollEvery?: number;
}

/**
 * Feeds traces (in the given order) through one or more aggregator instances, polling after
 * every record (or every `pollEvery`-th), then idles every instance so the last windows close. Returns every partial.
 */
export function runAggregation(
  traces: readonly TraceSummary[],
  run: RunOptions = {},
): PartialWindow[] {
  const partitionOf = run.partitionOf ?? (() => 0);
  const instanceOf = run.instanceOf ?? (() => 0);
  const pollEvery = run.pollEvery ?? 1;
  const nowOf = run.nowOf ?? ((s: TraceSummary) => s.closed_at);
  const instances = new Map<number, WindowAggregator>();
  const offsets = new Map<number, number>();
  const partials: PartialWindow[] = [];
  let lastNow = 0;
  traces.forEach((summary, index) => {
    const partition = partitionOf(summary, index);
    const instance = instanceOf(partition);
    let aggregator = instances.get(instance);
    if (aggregator === undefined) {
      instances.set(instance, (aggregator = new WindowAggregator(run.options)));
    }
    const offset = offsets.get(partition) ?? 0;
    offsets.set(partition, offset + 1);
    const now = nowOf(summary, index);
    lastNow = Math.max(lastNow, now);
    aggregator.ingest({ partition, offset, summary }, now);
    if (index % pollEvery === 0) partials.push(...aggregator.poll(now));
  });
  for (const aggregator of instances.values()) partials.push(...aggregator.poll(lastNow + 1e9));
  return partials;
}

/** FNV-style string hash, to spread traces over partitions like a keyed producer would. */
export function hashPartition(partitions: number) {
  return (summary: TraceSummary): number => {
    let h = 0;
    for (let i = 0; i < summary.trace_id.length; i++) {
      h = (Math.imul(h, 31) + summary.trace_id.charCodeAt(i)) >>> 0;
    }
    return h % partitions;
  };
}

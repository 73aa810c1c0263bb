import type { PartialWindow, WindowAggregator } from '@agentmon/aggregator-domain';
import { Topics, type TraceSummary } from '@agentmon/contracts';
import type { PartitionRecords, Stage, StageDeadLetter } from '@agentmon/stream-runtime';
import type { AggregatorSinks, PartitionMark } from '../ports/aggregator-sinks.port';
import type { MergeReport, WindowMerger } from './window-merger';

/**
 * What the aggregator writes in a cycle: closed partials, and one `sync` unit (the partitions'
 * marks and owner epochs, and the merge step) so every cycle also merges what other instances
 * made ready.
 */
export type AggregatorUnit =
  | { kind: 'partial'; partial: PartialWindow }
  | {
      kind: 'sync';
      marks: PartitionMark[];
      epochs: Map<number, number>;
      memoHorizons: Map<number, number>;
    };

export interface AggregatorEvents {
  partialsStored(count: number): void;
  merged(report: MergeReport): void;
  fenced(partitions: number[]): void;
  replaysSkipped(count: number): void;
  windowsClosedEarly(count: number): void;
}

interface Owned {
  epoch: number;
  lastRecordAt: number;
}

interface Restoring {
  buffer: { offset: number; summary: TraceSummary }[];
  started: boolean;
}

export interface AggregatorStageOptions {
  idleCloseMs: number;
  windowSizeMs: number;
}

/**
 * traces → per-partition partial windows (the pure WindowAggregator) → stored in the shared
 * state with owner fencing → merged per series window once every partition passed it (any
 * instance may run the merge; one claims it) → ClickHouse, Redis hot keys, metrics topic.
 *
 * A partition is used only after its owner state was claimed (epoch bumped, memos of the
 * partials already stored restored into the domain): until then its records wait in a buffer
 * and nothing of it is committed, so a replay after a crash or a rebalance skips exactly what
 * is durable and counts the rest once.
 */
export class AggregatorStage implements Stage<typeof Topics.traces, AggregatorUnit> {
  readonly input = Topics.traces;
  private pending: PartialWindow[] = [];
  private readonly owned = new Map<number, Owned>();
  private readonly restoring = new Map<number, Restoring>();
  private readonly ready: {
    partition: number;
    epoch: number;
    state: Restoring;
    memos: PartialWindow[];
  }[] = [];
  private readonly fencedOff = new Set<number>();
  /** The group's committed offset per owned partition: no replay starts before it. */
  private readonly committedOffsets = new Map<number, number>();
  private restoreFailures = 0;

  constructor(
    private readonly aggregator: WindowAggregator,
    private readonly sinks: AggregatorSinks,
    private readonly merger: WindowMerger,
    private readonly events: AggregatorEvents,
    private readonly options: AggregatorStageOptions,
  ) {}

  get openWindows(): number {
    return this.aggregator.openWindowCount();
  }

  get restoreFailureCount(): number {
    return this.restoreFailures;
  }

  ingest(batch: PartitionRecords<typeof Topics.traces>, now: number): void {
    const { partition } = batch;
    if (this.fencedOff.has(partition)) return;
    const owned = this.owned.get(partition);
    if (owned === undefined) {
      let state = this.restoring.get(partition);
      if (state === undefined)
        this.restoring.set(partition, (state = { buffer: [], started: false }));
      for (const record of batch.records) {
        state.buffer.push({ offset: Number(record.offset), summary: record.value });
      }
      this.startRestore(partition, state);
      return;
    }
    this.apply(
      partition,
      owned,
      batch.records.map((record) => ({ offset: Number(record.offset), summary: record.value })),
      now,
    );
  }

  tick(now: number): void {
    for (const restored of this.ready.splice(0)) {
      // Revoked (or restarted) while the claim was in flight: that state is gone.
      if (this.restoring.get(restored.partition) !== restored.state) continue;
      this.restoring.delete(restored.partition);
      this.aggregator.restore(restored.memos);
      const owned = { epoch: restored.epoch, lastRecordAt: now };
      this.owned.set(restored.partition, owned);
      this.apply(restored.partition, owned, restored.state.buffer, now);
    }
    for (const [partition, state] of this.restoring) this.startRestore(partition, state);
    const closedEarly = this.aggregator.closedEarlyCount;
    this.pending.push(...this.aggregator.poll(now));
    if (this.aggregator.closedEarlyCount > closedEarly)
      this.events.windowsClosedEarly(this.aggregator.closedEarlyCount - closedEarly);
  }

  takeOutput(now: number): AggregatorUnit[] {
    const units: AggregatorUnit[] = this.pending.map((partial) => ({ kind: 'partial', partial }));
    this.pending = [];
    const marks: PartitionMark[] = [];
    const epochs = new Map<number, number>();
    const memoHorizons = new Map<number, number>();
    for (const [partition, owned] of this.owned) {
      const idle =
        this.aggregator.openWindowCount(partition) === 0 &&
        now - owned.lastRecordAt >= this.options.idleCloseMs;
      const closed = this.aggregator.closedThrough(partition);
      marks.push({ partition, passedThrough: idle ? Infinity : (closed ?? -Infinity) });
      epochs.set(partition, owned.epoch);
      // A memo serves replays, and replays start at the committed offset: memos wholly below
      // it may go, whatever their event time (a backfill passes days of it in minutes while
      // commits may be failing).
      memoHorizons.set(partition, this.committedOffsets.get(partition) ?? -Infinity);
    }
    units.push({ kind: 'sync', marks, epochs, memoHorizons });
    return units;
  }

  committableOffset(partition: number): bigint | null {
    if (!this.owned.has(partition)) return null;
    const offset = this.aggregator.committableOffset(partition);
    return offset === null ? null : BigInt(offset);
  }

  committed(partition: number, offset: bigint): void {
    if (this.owned.has(partition)) this.committedOffsets.set(partition, Number(offset));
  }

  revokePartition(partition: number): void {
    this.committedOffsets.delete(partition);
    this.aggregator.dropPartition(partition);
    this.owned.delete(partition);
    this.restoring.delete(partition);
    this.fencedOff.delete(partition);
    this.pending = this.pending.filter((partial) => partial.partition !== partition);
  }

  async write(units: readonly AggregatorUnit[], now: number): Promise<void> {
    const partials: PartialWindow[] = [];
    let sync: Extract<AggregatorUnit, { kind: 'sync' }> | undefined;
    for (const unit of units) {
      if (unit.kind === 'partial') partials.push(unit.partial);
      else sync = unit;
    }
    const epochs = new Map(sync?.epochs ?? []);
    // Partials of a partition taken in an earlier cycle (bisection) still carry its epoch.
    for (const partial of partials) {
      if (!epochs.has(partial.partition)) {
        const owned = this.owned.get(partial.partition);
        if (owned !== undefined) epochs.set(partial.partition, owned.epoch);
      }
    }
    const fenced = await this.sinks.storePartials(
      partials,
      sync?.marks ?? [],
      epochs,
      sync?.memoHorizons ?? new Map(),
    );
    if (fenced.length > 0) {
      // Another instance claimed these partitions: it replays them; this one stops using them.
      for (const partition of fenced) {
        this.revokePartition(partition);
        this.fencedOff.add(partition);
      }
      this.events.fenced(fenced);
    }
    const stored = partials.filter((p) => !fenced.includes(p.partition)).length;
    if (stored > 0) this.events.partialsStored(stored);
    const report = await this.merger.run(now);
    if (report.windows > 0) this.events.merged(report);
  }

  deadLetters(): StageDeadLetter[] {
    // A partial or a merge has no single source record; the sinks refusing one for good is
    // logged by the runtime. Window rows the sinks refuse are isolated in the merge step.
    return [];
  }

  private apply(
    partition: number,
    owned: Owned,
    records: readonly { offset: number; summary: TraceSummary }[],
    now: number,
  ): void {
    let skipped = 0;
    for (const { offset, summary } of records) {
      if (this.aggregator.ingest({ partition, offset, summary }, now) === 'replay_skipped') {
        skipped++;
      }
    }
    if (records.length > 0) owned.lastRecordAt = now;
    if (skipped > 0) this.events.replaysSkipped(skipped);
  }

  private startRestore(partition: number, state: Restoring): void {
    if (state.started) return;
    state.started = true;
    this.sinks.claimPartition(partition).then(
      ({ epoch, memos }) => {
        this.ready.push({
          partition,
          epoch,
          state,
          memos: memos.map((memo) => ({
            ...memo,
            window_size_ms: this.options.windowSizeMs,
            from_offset: memo.through_offset,
            cells: [],
          })),
        });
      },
      () => {
        // Redis unavailable: the next batch or tick tries again; nothing was committed.
        this.restoreFailures++;
        state.started = false;
      },
    );
  }
}

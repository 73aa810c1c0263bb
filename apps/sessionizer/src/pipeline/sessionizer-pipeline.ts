import type { Span, TraceEvent, TraceSummary } from '@agentmon/contracts';
import {
  buildTraceSummaryWithDiagnostics,
  ClosedTrace,
  isFeedbackOnly,
  LateRecord,
  PriceTable,
  resolveTraceContext,
  reviseTraceSummary,
  TraceAssembler,
  TraceSampler,
} from '@agentmon/sessionizer-domain';
import type { SessionizerSinks } from '../ports/sessionizer-sinks.port';

export interface PartitionBatch {
  partition: number;
  records: readonly { offset: string; value: Parameters<TraceAssembler['ingest']>[0] }[];
  commit(offset: string): Promise<void>;
}

export interface PipelineEvents {
  tracesClosed(count: number, reasons: Record<string, number>): void;
  revisionsEmitted(count: number): void;
  lateSpansIgnored(count: number): void;
  orphanFeedback(count: number): void;
  unpricedModels(models: string[]): void;
  emitFailed(error: unknown, attempt: number): void;
  commitFailed(error: unknown, partition: number): void;
}

export interface PipelineOptions {
  clock?: () => number;
  /** First wait after a failed emission; doubles up to maxRetryDelayMs. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
}

interface FlushCycle {
  closed: ClosedTrace[];
  late: LateRecord[];
  commits: Map<number, bigint>;
}

/**
 * The sessionizer's inner loop: records → TraceAssembler (pure) → summaries with sampling
 * (pure) → sinks, then commit. Ingestion is synchronous; emission runs in flush cycles that take
 * everything closed so far in one go (group commit), so partitions consumed concurrently share
 * one round trip to ClickHouse, Kafka and Redis. Offsets are committed only up to the first record
 * of the oldest trace still open when the cycle began, and only after that cycle's traces are
 * durable, so a crash replays exactly what is not yet stored. A failed emission is retried with
 * backoff, holding consumption back; nothing closed is dropped.
 */
export class SessionizerPipeline {
  private readonly committers = new Map<number, (offset: string) => Promise<void>>();
  private readonly committed = new Map<number, bigint>();
  private pendingClosed: ClosedTrace[] = [];
  private pendingLate: LateRecord[] = [];
  private running?: Promise<void>;
  private queued?: Promise<void>;
  private readonly clock: () => number;

  constructor(
    private readonly assembler: TraceAssembler,
    private readonly sampler: TraceSampler,
    private readonly prices: PriceTable,
    private readonly sinks: SessionizerSinks,
    private readonly events: PipelineEvents,
    private readonly options: PipelineOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
  }

  /** Processes one partition's batch; resolves once its effects are durable and committed. */
  handleBatch(batch: PartitionBatch): Promise<void> {
    const now = this.clock();
    this.committers.set(batch.partition, batch.commit);
    for (const record of batch.records) {
      const result = this.assembler.ingest(
        record.value,
        { partition: batch.partition, offset: BigInt(record.offset) },
        now,
      );
      this.pendingClosed.push(...result.closed);
      this.pendingLate.push(...result.late);
    }
    this.pendingClosed.push(...this.assembler.expire(now));
    return this.flush();
  }

  /** Closes traces that timed out while no records arrived (called on a timer). */
  tick(): Promise<void> {
    this.pendingClosed.push(...this.assembler.expire(this.clock()));
    return this.flush();
  }

  /** A rebalance took the partition away: its new owner replays from our last commit. */
  revokePartition(partition: number): void {
    this.assembler.revokePartition(partition);
    this.committers.delete(partition);
    this.committed.delete(partition);
  }

  /** After a rebalance: forget every partition this instance no longer owns. */
  retainPartitions(owned: readonly number[]): number[] {
    const revoked = [...this.committers.keys()].filter((partition) => !owned.includes(partition));
    revoked.forEach((partition) => this.revokePartition(partition));
    return revoked;
  }

  get openTraces(): number {
    return this.assembler.openTraceCount;
  }

  /** Joins the next flush cycle: one runs at a time, and everything pending goes in the next. */
  private flush(): Promise<void> {
    if (!this.running) {
      this.running = this.runCycle().finally(() => (this.running = undefined));
      return this.running;
    }
    this.queued ??= this.running.then(() => {
      this.queued = undefined;
      return this.flush();
    });
    return this.queued;
  }

  private async runCycle(): Promise<void> {
    // Taken in one synchronous step: every trace closed before these offsets is in this cycle.
    const cycle: FlushCycle = {
      closed: this.pendingClosed,
      late: this.pendingLate,
      commits: new Map(),
    };
    this.pendingClosed = [];
    this.pendingLate = [];
    for (const partition of this.committers.keys()) {
      const offset = this.assembler.committableOffset(partition);
      if (offset !== null) cycle.commits.set(partition, offset);
    }
    const now = this.clock();
    if (cycle.closed.length > 0 || cycle.late.length > 0) {
      await this.untilDone(() => this.emit(cycle.closed, cycle.late, now));
    }
    await this.commit(cycle.commits);
  }

  private async untilDone(work: () => Promise<void>): Promise<void> {
    const base = this.options.retryDelayMs ?? 200;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await work();
      } catch (error) {
        this.events.emitFailed(error, attempt);
        const delay = Math.min(this.options.maxRetryDelayMs ?? 5000, base * 2 ** (attempt - 1));
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private async commit(commits: Map<number, bigint>): Promise<void> {
    for (const [partition, offset] of commits) {
      const commit = this.committers.get(partition);
      if (!commit || offset === this.committed.get(partition)) continue;
      try {
        await commit(offset.toString());
        this.committed.set(partition, offset);
      } catch (error) {
        // Usually a rebalance in progress; the next cycle commits again (or the new owner replays).
        this.events.commitFailed(error, partition);
      }
    }
  }

  /**
   * One lookup of stored summaries and one write for the whole cycle. A trace already emitted
   * (its records replayed after a crash, or stragglers after its memory was evicted) is never
   * emitted again as a partial revision 0: its events, like late feedback, revise the stored
   * summary; feedback with no stored trace is counted, not invented.
   */
  private async emit(
    closed: readonly ClosedTrace[],
    late: readonly LateRecord[],
    now: number,
  ): Promise<void> {
    const revisable = groupLateRecords(late);
    const lookups = [...closed, ...revisable.values()];
    const previous = await this.sinks.previousSummaries(lookups.map(keyOf));
    const stored = new Map(lookups.map((item, index) => [idOf(item), previous[index]]));
    const fresh: ClosedTrace[] = [];
    let orphans = 0;
    for (const trace of closed) {
      if (stored.get(idOf(trace)))
        addRevisable(revisable, trace.projectId, trace.traceId, trace.events, trace.spans.length);
      else if (isFeedbackOnly(trace)) orphans += trace.events.length;
      else fresh.push(trace);
    }
    const revisions: TraceSummary[] = [];
    let lateSpans = 0;
    for (const group of revisable.values()) {
      lateSpans += group.spans;
      const before = stored.get(idOf(group));
      if (!before) orphans += group.events.length;
      else {
        const revised = reviseTraceSummary(before, group.events);
        if (revised) revisions.push(revised);
      }
    }
    if (lateSpans > 0) this.events.lateSpansIgnored(lateSpans);
    if (orphans > 0) this.events.orphanFeedback(orphans);
    const built = await this.buildSummaries(fresh, now);
    if (built.summaries.length + revisions.length === 0) return;
    await this.sinks.emit({
      summaries: [...built.summaries, ...revisions],
      sampledSpans: built.sampledSpans,
    });
    this.events.tracesClosed(fresh.length, built.reasons);
    if (revisions.length > 0) this.events.revisionsEmitted(revisions.length);
    if (built.unpriced.size > 0) this.events.unpricedModels([...built.unpriced]);
  }

  private async buildSummaries(fresh: readonly ClosedTrace[], now: number) {
    const users = fresh.map((trace) => ({
      ...keyOf(trace),
      userId: resolveTraceContext(trace.events).user_id ?? null,
    }));
    const sessionNumbers = fresh.length > 0 ? await this.sinks.sessionNumbers(users) : [];
    const summaries: TraceSummary[] = [];
    const sampledSpans: { projectId: string; spans: readonly Span[] }[] = [];
    const reasons: Record<string, number> = {};
    const unpriced = new Set<string>();
    fresh.forEach((trace, index) => {
      const built = buildTraceSummaryWithDiagnostics(
        trace,
        { sessionNumber: sessionNumbers[index], now, sampler: this.sampler },
        this.prices,
      );
      summaries.push(built.summary);
      built.diagnostics.unpricedModels.forEach((model) => unpriced.add(model));
      if (built.summary.sampled)
        sampledSpans.push({ projectId: trace.projectId, spans: trace.spans });
      reasons[trace.closedReason] = (reasons[trace.closedReason] ?? 0) + 1;
    });
    return { summaries, sampledSpans, reasons, unpriced };
  }
}

interface RevisableTrace {
  projectId: string;
  traceId: string;
  events: TraceEvent[];
  /** Spans that arrived after the trace was emitted: counted, they cannot revise it. */
  spans: number;
}

const keyOf = (item: { projectId: string; traceId: string }) => ({
  projectId: item.projectId,
  traceId: item.traceId,
});
const idOf = (item: { projectId: string; traceId: string }) =>
  `${item.projectId}\u0000${item.traceId}`;

function addRevisable(
  into: Map<string, RevisableTrace>,
  projectId: string,
  traceId: string,
  events: readonly TraceEvent[],
  spans: number,
): void {
  const id = idOf({ projectId, traceId });
  const entry = into.get(id) ?? { projectId, traceId, events: [], spans: 0 };
  entry.events.push(...events);
  entry.spans += spans;
  into.set(id, entry);
}

function groupLateRecords(late: readonly LateRecord[]): Map<string, RevisableTrace> {
  const byTrace = new Map<string, RevisableTrace>();
  for (const item of late) {
    const events = item.record.kind === 'event' ? [item.record.event] : [];
    addRevisable(
      byTrace,
      item.projectId,
      item.traceId,
      events,
      item.record.kind === 'span' ? 1 : 0,
    );
  }
  return byTrace;
}

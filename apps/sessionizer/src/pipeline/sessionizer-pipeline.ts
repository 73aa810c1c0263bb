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
    await this.untilDone(async () => {
      if (cycle.closed.length > 0) await this.emitClosed(cycle.closed, now);
      cycle.closed = [];
      if (cycle.late.length > 0) await this.applyLate(cycle.late);
      cycle.late = [];
    });
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

  private async emitClosed(closed: readonly ClosedTrace[], now: number): Promise<void> {
    // A trace already emitted (its records replayed after a crash, or stragglers after its
    // memory was evicted) must not come back as a partial revision 0: its events revise the
    // stored summary instead, and feedback with no stored trace is counted, not invented.
    const previous = await this.sinks.previousSummaries(
      closed.map((trace) => ({ projectId: trace.projectId, traceId: trace.traceId })),
    );
    const fresh: ClosedTrace[] = [];
    const revisions: TraceSummary[] = [];
    let lateSpans = 0;
    let orphans = 0;
    closed.forEach((trace, index) => {
      const before = previous[index];
      if (before) {
        lateSpans += trace.spans.length;
        const revised = reviseTraceSummary(before, trace.events);
        if (revised) revisions.push(revised);
      } else if (isFeedbackOnly(trace)) {
        orphans += trace.events.length;
      } else {
        fresh.push(trace);
      }
    });
    if (lateSpans > 0) this.events.lateSpansIgnored(lateSpans);
    if (orphans > 0) this.events.orphanFeedback(orphans);
    const users = fresh.map((trace) => ({
      projectId: trace.projectId,
      traceId: trace.traceId,
      userId: resolveTraceContext(trace.events).user_id ?? null,
    }));
    const sessionNumbers = await this.sinks.sessionNumbers(users);
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
    await this.sinks.emit({ summaries: [...summaries, ...revisions], sampledSpans });
    this.events.tracesClosed(fresh.length, reasons);
    if (revisions.length > 0) this.events.revisionsEmitted(revisions.length);
    if (unpriced.size > 0) this.events.unpricedModels([...unpriced]);
  }

  private async applyLate(late: readonly LateRecord[]): Promise<void> {
    const byTrace = new Map<
      string,
      { key: { projectId: string; traceId: string }; events: TraceEvent[] }
    >();
    let lateSpans = 0;
    for (const item of late) {
      if (item.record.kind !== 'event') {
        lateSpans += 1;
        continue;
      }
      const id = `${item.projectId}\u0000${item.traceId}`;
      const entry = byTrace.get(id) ?? {
        key: { projectId: item.projectId, traceId: item.traceId },
        events: [],
      };
      entry.events.push(item.record.event);
      byTrace.set(id, entry);
    }
    if (lateSpans > 0) this.events.lateSpansIgnored(lateSpans);
    const entries = [...byTrace.values()];
    if (entries.length === 0) return;
    const previous = await this.sinks.previousSummaries(entries.map((entry) => entry.key));
    const revisions: TraceSummary[] = [];
    let orphans = 0;
    entries.forEach((entry, index) => {
      const before = previous[index];
      if (!before) {
        orphans += entry.events.length;
        return;
      }
      const revised = reviseTraceSummary(before, entry.events);
      if (revised) revisions.push(revised);
    });
    if (orphans > 0) this.events.orphanFeedback(orphans);
    if (revisions.length === 0) return;
    await this.sinks.emit({ summaries: revisions, sampledSpans: [] });
    this.events.revisionsEmitted(revisions.length);
  }
}

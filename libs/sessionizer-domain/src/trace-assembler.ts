import type { ClosedReason, SpansTopicRecord } from '@agentmon/contracts';
import { resolveAssemblyPolicy, type AssemblyPolicy } from './assembly-policy';
import type { ClosedTrace, IngestResult } from './closed-trace';
import { OpenTrace } from './open-trace';
import { RecentlyClosedKeys } from './recently-closed-keys';

export interface RecordPosition {
  partition: number;
  offset: bigint;
}

interface PartitionState {
  lastOffset: bigint;
  /** Keys of open traces first seen on this partition, in first-offset order. */
  open: Set<string>;
}

/**
 * Holds the open traces of the partitions one sessionizer instance owns. Pure: time is passed in
 * as epoch ms of processing time, never read.
 *
 * Contract with the caller:
 * - ingest records of a partition in offset order (as Kafka delivers them);
 * - call expire(now) after each polled batch: traces close there, not in ingest (except cap
 *   evictions), so spans behind a trace_end in the same batch still make it in;
 * - commit committableOffset(p) only after the closed traces and late records handed out so far
 *   have been durably processed: the offset counts them as done.
 */
export class TraceAssembler {
  readonly policy: AssemblyPolicy;
  // Insertion order = activity order (a touched trace is re-inserted), so the first entry is
  // the least recently active: the cap victim, found in O(1).
  private readonly open = new Map<string, OpenTrace>();
  private readonly partitions = new Map<number, PartitionState>();
  private readonly recentlyClosed: RecentlyClosedKeys;
  private spanTotal = 0;

  constructor(policy: Partial<AssemblyPolicy> = {}) {
    this.policy = resolveAssemblyPolicy(policy);
    this.recentlyClosed = new RecentlyClosedKeys(this.policy.recentlyClosedCapacity);
  }

  get openTraceCount(): number {
    return this.open.size;
  }

  get openSpanCount(): number {
    return this.spanTotal;
  }

  ingest(record: SpansTopicRecord, position: RecordPosition, now: number): IngestResult {
    this.partitionState(position.partition).lastOffset = position.offset;
    const traceId = record.kind === 'span' ? record.span.trace_id : record.event.trace_id;
    const key = traceKey(record.project_id, traceId);
    const result: IngestResult = { closed: [], late: [] };

    let trace = this.open.get(key);
    if (trace === undefined) {
      if (this.recentlyClosed.has(key)) {
        result.late.push({ projectId: record.project_id, traceId, ...position, record });
        return result;
      }
      if (this.open.size >= this.policy.maxOpenTraces) {
        result.closed.push(this.closeTrace(this.leastRecentlyActive(), 'cap_exceeded'));
      }
      trace = this.openTrace(key, record.project_id, traceId, position, now);
    }
    this.touch(trace, now);
    this.addToTrace(trace, record, now);
    return result;
  }

  /** Closes every trace that is due at `now` (see OpenTrace.closeReasonAt for the rules). */
  expire(now: number): ClosedTrace[] {
    const closed: ClosedTrace[] = [];
    for (const trace of [...this.open.values()]) {
      const reason = trace.closeReasonAt(now, this.policy);
      if (reason !== null) closed.push(this.closeTrace(trace, reason));
    }
    return closed;
  }

  /**
   * The offset to commit: the first record of the oldest trace still open on the partition
   * (so a restart replays it whole), else one past the last ingested record; null if unseen.
   */
  committableOffset(partition: number): bigint | null {
    const state = this.partitions.get(partition);
    if (state === undefined) return null;
    for (const key of state.open) return this.open.get(key)!.firstOffset;
    return state.lastOffset + 1n;
  }

  /** Forgets a partition lost in a rebalance; its new owner replays from the committed offset. */
  revokePartition(partition: number): void {
    const state = this.partitions.get(partition);
    if (state !== undefined) {
      for (const key of state.open) this.forget(this.open.get(key)!);
      this.partitions.delete(partition);
    }
    // If the partition comes back, its replay must rebuild those traces, not call them late.
    this.recentlyClosed.forgetPartition(partition);
  }

  private addToTrace(trace: OpenTrace, record: SpansTopicRecord, now: number): void {
    if (record.kind === 'span') {
      const outcome = trace.addSpan(
        record.span,
        this.policy.maxSpansPerTrace,
        record.received_at,
        now,
      );
      if (outcome === 'added') this.spanTotal += 1;
      return;
    }
    trace.addEvent(record.event, this.policy.maxEventsPerTrace, record.received_at, now);
  }

  private openTrace(
    key: string,
    projectId: string,
    traceId: string,
    position: RecordPosition,
    now: number,
  ): OpenTrace {
    const trace = new OpenTrace(key, projectId, traceId, position.partition, position.offset, now);
    this.open.set(key, trace);
    this.partitionState(position.partition).open.add(key);
    return trace;
  }

  private touch(trace: OpenTrace, now: number): void {
    trace.lastActivityAt = Math.max(trace.lastActivityAt, now);
    this.open.delete(trace.key);
    this.open.set(trace.key, trace);
  }

  private leastRecentlyActive(): OpenTrace {
    return this.open.values().next().value as OpenTrace;
  }

  private closeTrace(trace: OpenTrace, reason: ClosedReason): ClosedTrace {
    this.forget(trace);
    this.recentlyClosed.add(trace.key, trace.partition);
    return trace.close(reason, this.policy);
  }

  private forget(trace: OpenTrace): void {
    this.open.delete(trace.key);
    this.partitions.get(trace.partition)?.open.delete(trace.key);
    this.spanTotal -= trace.spanCount;
  }

  private partitionState(partition: number): PartitionState {
    let state = this.partitions.get(partition);
    if (state === undefined) {
      state = { lastOffset: -1n, open: new Set() };
      this.partitions.set(partition, state);
    }
    return state;
  }
}

// NUL cannot occur in an id (IdSchema charset), so the pair is unambiguous.
function traceKey(projectId: string, traceId: string): string {
  return `${projectId}\u0000${traceId}`;
}

import type { ClosedReason, Span, TraceEvent, TraceFlag } from '@agentmon/contracts';
import type { AssemblyPolicy } from './assembly-policy';
import type { ClosedTrace } from './closed-trace';

export type AddOutcome = 'added' | 'duplicate' | 'dropped';

/** Mutable state of one trace while it is open. Internal to the assembler. */
export class OpenTrace {
  private readonly spans = new Map<string, Span>();
  private readonly events = new Map<string, TraceEvent>();
  private droppedSpans = 0;
  private droppedEvents = 0;
  private hasRoot = false;
  private nonRootSpans = 0;
  /** Processing time the first root span / trace_end arrived: grace periods count from there. */
  private rootSeenAt: number | null = null;
  private traceEndSeenAt: number | null = null;
  lastActivityAt: number;

  constructor(
    readonly key: string,
    readonly projectId: string,
    readonly traceId: string,
    readonly partition: number,
    readonly firstOffset: bigint,
    readonly openedAt: number,
  ) {
    this.lastActivityAt = openedAt;
  }

  get spanCount(): number {
    return this.spans.size;
  }

  /**
   * Duplicate span_id: the first copy wins. Spans on the topic are always finished (end_time is
   * required), so there is no "more complete" copy to prefer, and first-wins is what a replay
   * of the same offsets reproduces. The first root span bypasses the cap: it carries duration
   * and completion and usually arrives last, exactly when a long trace hits the cap.
   */
  addSpan(span: Span, maxSpans: number): AddOutcome {
    if (this.spans.has(span.span_id)) return 'duplicate';
    const isFirstRoot = span.parent_span_id === null && !this.hasRoot;
    if (!isFirstRoot && this.nonRootSpans >= maxSpans) {
      this.droppedSpans += 1;
      return 'dropped';
    }
    this.spans.set(span.span_id, span);
    if (isFirstRoot) this.hasRoot = true;
    else this.nonRootSpans += 1;
    return 'added';
  }

  addEvent(event: TraceEvent, maxEvents: number): AddOutcome {
    if (this.events.has(event.event_id)) return 'duplicate';
    if (this.events.size >= maxEvents) {
      this.droppedEvents += 1;
      return 'dropped';
    }
    this.events.set(event.event_id, event);
    return 'added';
  }

  markRootSeen(now: number): void {
    this.rootSeenAt ??= now;
  }

  markTraceEndSeen(now: number): void {
    this.traceEndSeenAt ??= now;
  }

  /** Why the trace should close at `now`, or null to keep it open. The order is the priority. */
  closeReasonAt(now: number, policy: AssemblyPolicy): ClosedReason | null {
    if (this.traceEndSeenAt !== null) {
      // With a root the trace is whole; without one, stragglers get the same grace as a root.
      if (this.rootSeenAt !== null || now - this.traceEndSeenAt >= policy.rootGraceMs) {
        return 'trace_end';
      }
    }
    if (this.rootSeenAt !== null && now - this.rootSeenAt >= policy.rootGraceMs) {
      return 'root_grace';
    }
    if (now - this.openedAt >= policy.maxTraceDurationMs) return 'max_duration';
    if (now - this.lastActivityAt >= policy.inactivityTimeoutMs) return 'inactivity';
    return null;
  }

  close(closedReason: ClosedReason): ClosedTrace {
    const spans = [...this.spans.values()].sort(
      (a, b) => a.start_time - b.start_time || compareIds(a.span_id, b.span_id),
    );
    const events = [...this.events.values()].sort(
      (a, b) => a.timestamp - b.timestamp || compareIds(a.event_id, b.event_id),
    );
    return {
      projectId: this.projectId,
      traceId: this.traceId,
      partition: this.partition,
      spans,
      events,
      closedReason,
      flags: this.structuralFlags(events),
      firstOffset: this.firstOffset,
      droppedSpanCount: this.droppedSpans,
      droppedEventCount: this.droppedEvents,
    };
  }

  private structuralFlags(events: TraceEvent[]): TraceFlag[] {
    const flags: TraceFlag[] = [];
    if (this.droppedSpans > 0) flags.push('spans_truncated');
    if (!this.hasRoot) flags.push('missing_root');
    if (!events.some((e) => e.type === 'trace_end')) flags.push('missing_trace_end');
    return flags;
  }
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

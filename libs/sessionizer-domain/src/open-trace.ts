import type { ClosedReason, Span, TraceEvent, TraceFlag } from '@agentmon/contracts';
import type { AssemblyPolicy } from './assembly-policy';
import type { ClosedTrace } from './closed-trace';

export type AddOutcome = 'added' | 'duplicate' | 'dropped';

/**
 * Mutable state of one trace while it is open. Internal to the assembler.
 *
 * Two clocks: the close rules fire on processing time (`now`, passed in), because a trace that
 * gets no more records must still close; but what the trace says about *when* it closed
 * (ClosedTrace.closedAt) is computed from the records' own `received_at`, so a replay of the
 * same records yields the same summary byte for byte.
 */
export class OpenTrace {
  private readonly spans = new Map<string, Span>();
  private readonly events = new Map<string, TraceEvent>();
  private droppedSpans = 0;
  private droppedEvents = 0;
  private hasRoot = false;
  private nonRootSpans = 0;
  /** The first kept parentless span and how many parentless spans were seen in all. */
  private root: Span | null = null;
  private parentlessSpans = 0;
  /** Kept spans whose parent is the root: a root with children is the OpenTelemetry shape. */
  private rootChildren = 0;
  /** Extent of every kept span: the root encloses the trace when it covers this. */
  private minStart = Number.POSITIVE_INFINITY;
  private maxEnd = Number.NEGATIVE_INFINITY;
  /** trace_start seen: an SDK-style trace, which ends with trace_end (or a timer), never root grace. */
  private announced = false;
  /** Any trace_start kept, the agent's or one stating a root span's context. */
  private startSeen = false;
  /** Processing time the root / trace_end arrived: grace periods count from there. */
  private rootSeenAt: number | null = null;
  private traceEndSeenAt: number | null = null;
  /** received_at (record time) of the first/last record, the root and the first trace_end. */
  private firstReceivedAt = Number.POSITIVE_INFINITY;
  private lastReceivedAt = Number.NEGATIVE_INFINITY;
  private rootReceivedAt: number | null = null;
  private traceEndReceivedAt: number | null = null;
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
  addSpan(span: Span, maxSpans: number, receivedAt: number, now: number): AddOutcome {
    if (this.spans.has(span.span_id)) return 'duplicate';
    this.noteReceived(receivedAt);
    const parentless = span.parent_span_id === null;
    const isFirstRoot = parentless && !this.hasRoot;
    if (!isFirstRoot && this.nonRootSpans >= maxSpans) {
      this.droppedSpans += 1;
      if (parentless) this.parentlessSpans += 1;
      return 'dropped';
    }
    this.spans.set(span.span_id, span);
    this.minStart = Math.min(this.minStart, span.start_time);
    this.maxEnd = Math.max(this.maxEnd, span.end_time);
    if (parentless) this.parentlessSpans += 1;
    if (isFirstRoot) {
      this.hasRoot = true;
      this.root = span;
      for (const kept of this.spans.values()) {
        if (kept.parent_span_id === span.span_id) this.rootChildren += 1;
      }
      this.rootSeenAt = now;
      this.rootReceivedAt = receivedAt;
    } else {
      this.nonRootSpans += 1;
      if (this.root !== null && span.parent_span_id === this.root.span_id) this.rootChildren += 1;
    }
    return 'added';
  }

  addEvent(event: TraceEvent, maxEvents: number, receivedAt: number, now: number): AddOutcome {
    if (this.events.has(event.event_id)) return 'duplicate';
    this.noteReceived(receivedAt);
    // The first trace_start / trace_end bypass the cap (a feedback flood must not make the trace
    // miss its end); later copies do not, so the bound holds (maxEvents + 2).
    const firstLifecycle =
      (event.type === 'trace_start' && !this.startSeen) ||
      (event.type === 'trace_end' && this.traceEndSeenAt === null);
    if (!firstLifecycle && this.events.size >= maxEvents) {
      this.droppedEvents += 1;
      return 'dropped';
    }
    this.events.set(event.event_id, event);
    if (event.type === 'trace_start') {
      this.startSeen = true;
      if (!this.statesRootContext(event)) this.announced = true;
    }
    if (event.type === 'trace_end') {
      this.traceEndSeenAt ??= now;
      this.traceEndReceivedAt = Math.min(this.traceEndReceivedAt ?? receivedAt, receivedAt);
    }
    return 'added';
  }

  /**
   * Why the trace should close at `now`, or null to keep it open. The order is the priority:
   * - trace_end, once traceEndGraceMs has passed since it arrived (stragglers still get in);
   * - root_grace, only for an unannounced trace (no agent trace_start, no trace_end yet) whose one
   *   parentless span has children and encloses every span seen: the OpenTelemetry shape, where
   *   the root ends last. Several parentless spans, spans outside the root, or a lone childless
   *   parentless span (an SDK call without trace events) are not that shape: inactivity closes;
   * - max_duration, then inactivity.
   */
  closeReasonAt(now: number, policy: AssemblyPolicy): ClosedReason | null {
    if (this.traceEndSeenAt !== null) {
      if (now - this.traceEndSeenAt >= policy.traceEndGraceMs) return 'trace_end';
    } else if (
      this.rootSeenAt !== null &&
      this.isEnclosingRootTrace() &&
      now - this.rootSeenAt >= policy.rootGraceMs
    ) {
      return 'root_grace';
    }
    if (now - this.openedAt >= policy.maxTraceDurationMs) return 'max_duration';
    if (now - this.lastActivityAt >= policy.inactivityTimeoutMs) return 'inactivity';
    return null;
  }

  /**
   * When the close rule fired, in record time (received_at) rather than processing time: the
   * moment the same rule would have fired had the records been processed as they were received.
   * A pure function of the assembled records and the reason, so replays agree on it.
   */
  closedAtFor(reason: ClosedReason, policy: AssemblyPolicy): number {
    switch (reason) {
      case 'trace_end':
        return (this.traceEndReceivedAt ?? this.lastReceivedAt) + policy.traceEndGraceMs;
      case 'root_grace':
        return (this.rootReceivedAt ?? this.lastReceivedAt) + policy.rootGraceMs;
      case 'max_duration':
        return this.firstReceivedAt + policy.maxTraceDurationMs;
      case 'inactivity':
        return this.lastReceivedAt + policy.inactivityTimeoutMs;
      case 'cap_exceeded':
        return this.lastReceivedAt;
    }
  }

  /**
   * A trace_start that only states the context written on a parentless span: the OTLP mapping
   * (libs/otlp rootSpanEvents) derives it from the root span's attributes, with the event id
   * `<span id>.start`, and puts it on the topic right after that span. Such a trace is still an
   * OpenTelemetry one, which closes on its root span.
   */
  private statesRootContext(event: TraceEvent): boolean {
    if (!event.event_id.endsWith('.start')) return false;
    const span = this.spans.get(event.event_id.slice(0, -'.start'.length));
    return span !== undefined && span.parent_span_id === null;
  }

  private isEnclosingRootTrace(): boolean {
    const root = this.root;
    return (
      !this.announced &&
      root !== null &&
      this.parentlessSpans === 1 &&
      this.rootChildren > 0 &&
      root.start_time <= this.minStart &&
      root.end_time >= this.maxEnd
    );
  }

  private noteReceived(receivedAt: number): void {
    this.firstReceivedAt = Math.min(this.firstReceivedAt, receivedAt);
    this.lastReceivedAt = Math.max(this.lastReceivedAt, receivedAt);
  }

  close(closedReason: ClosedReason, policy: AssemblyPolicy): ClosedTrace {
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
      closedAt: this.closedAtFor(closedReason, policy),
      announced: this.announced,
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

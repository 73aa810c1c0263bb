import type {
  ClosedReason,
  Span,
  SpansTopicRecord,
  TraceEvent,
  TraceFlag,
} from '@agentmon/contracts';

/** A trace the assembler has finished with; input of buildTraceSummary. */
export interface ClosedTrace {
  projectId: string;
  traceId: string;
  /** Partition of the trace's first record. */
  partition: number;
  /** Kept spans, deduplicated by span_id, ordered by start_time then span_id. */
  spans: Span[];
  /** Kept events, deduplicated by event_id, ordered by timestamp then event_id. */
  events: TraceEvent[];
  closedReason: ClosedReason;
  /**
   * When the close rule fired, in record time: received_at of the record that started the rule
   * plus the rule's grace or timeout (trace_end + traceEndGraceMs, root + rootGraceMs, last record
   * + inactivityTimeoutMs, first record + maxTraceDurationMs; the last record for cap_exceeded).
   * Never processing time, so a replay of the same records closes at the same closedAt.
   */
  closedAt: number;
  /** The trace announced itself with trace_start (SDK style). */
  announced: boolean;
  /** Structural flags known at assembly: missing_root, missing_trace_end, spans_truncated. */
  flags: TraceFlag[];
  /** Offset of the trace's first record on its partition. */
  firstOffset: bigint;
  /** Spans seen past maxSpansPerTrace (not deduplicated: a redelivered dropped span counts twice). */
  droppedSpanCount: number;
  /** Events seen past maxEventsPerTrace. */
  droppedEventCount: number;
}

/** A record for a trace that was already closed (and is still remembered). */
export interface LateRecord {
  projectId: string;
  traceId: string;
  partition: number;
  offset: bigint;
  record: SpansTopicRecord;
}

/** What one ingest produced; both lists are usually empty. */
export interface IngestResult {
  /** Traces closed early to make room (closedReason cap_exceeded). */
  closed: ClosedTrace[];
  /**
   * Records of already-closed traces: late feedback events go to reviseTraceSummary; late spans
   * cannot revise span-derived fields (the other spans are gone) and are for the caller to count.
   * Redeliveries of records already assembled show up here too; revising with them yields null.
   */
  late: LateRecord[];
}

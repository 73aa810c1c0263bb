import {
  TraceFlagSchema,
  type ErrorTypeCounts,
  type TraceEvent,
  type TraceEventOf,
  type TraceFlag,
  type TraceSummary,
} from '@agentmon/contracts';
import type { ClosedTrace } from './closed-trace';
import { deriveSpanMetrics, type SpanMetrics } from './derive-span-metrics';
import {
  applyFeedback,
  isStrongCompletion,
  NO_FEEDBACK,
  type FeedbackState,
} from './feedback-state';
import { DEFAULT_PRICE_TABLE, type PriceTable } from './price-table';
import { resolveTraceContext } from './resolve-trace-context';
import { recordDigest } from './record-digest';
import type { RevisionBasis } from './revise-trace-summary';
import type { TraceSampler } from './sampling-policy';

export interface SummaryEnrichment {
  /** From the app's user store; wins over the agent's context.session_number when not null. */
  sessionNumber: number | null;
  /**
   * @deprecated Ignored: closed_at is ClosedTrace.closedAt (record time), so a summary has no
   * processing-time field and a replay after a crash re-emits it byte for byte.
   */
  now?: number;
  sampler: TraceSampler;
  /**
   * Successes of this trace's sampling stratum (project, task type, UTC hour: samplingStratum)
   * already kept, read from the app's shared counter; omit to sample without the floor.
   */
  keptSuccessesInStratum?: number;
}

/** What the summary cannot say (the schema is strict) but the app should count or log. */
export interface SummaryDiagnostics {
  /** Models priced with the table's default; '' stands for token spans with no model. */
  unpricedModels: string[];
  droppedSpanCount: number;
  droppedEventCount: number;
}

export interface BuiltTraceSummary {
  summary: TraceSummary;
  diagnostics: SummaryDiagnostics;
  /** What later revisions need (reviseTrace): store it with the summary. */
  basis: RevisionBasis;
}

const MAX_COUNT = Number.MAX_SAFE_INTEGER;
const MAX_USD = 1e9;

export function buildTraceSummary(
  closed: ClosedTrace,
  enrichment: SummaryEnrichment,
  prices: PriceTable = DEFAULT_PRICE_TABLE,
): TraceSummary {
  return buildTraceSummaryWithDiagnostics(closed, enrichment, prices).summary;
}

/** Revision 0 of the trace's summary, every derived field computed, sampling decided. */
export function buildTraceSummaryWithDiagnostics(
  closed: ClosedTrace,
  enrichment: SummaryEnrichment,
  prices: PriceTable = DEFAULT_PRICE_TABLE,
): BuiltTraceSummary {
  const m = deriveSpanMetrics(closed.spans, prices);
  const traceEnd = firstOfType(closed.events, 'trace_end');
  const context = resolveTraceContext(closed.events);
  const timedOut = isTimedOut(closed, traceEnd, m);
  const feedback = deriveFeedback(closed, traceEnd, timedOut);
  const completed = isCompleted(traceEnd, m, timedOut, feedback);
  const { started_at, ended_at } = traceWindow(closed, traceEnd);
  const sessionNumber = enrichment.sessionNumber ?? context.session_number ?? null;
  const finalOutput = traceEnd?.final_output ?? null;

  const unsampled: Omit<TraceSummary, 'sampled' | 'sampling_rule'> = {
    trace_id: closed.traceId,
    project_id: closed.projectId,
    revision: 0,
    session_id: context.session_id ?? null,
    user_id: context.user_id ?? null,
    started_at,
    ended_at,
    duration_ms: ended_at - started_at,
    final_output: finalOutput,
    completed,
    ...feedback,
    timed_out: timedOut,
    task_type: context.task_type ?? null,
    user_segment: context.user_segment ?? null,
    platform: context.platform ?? null,
    model_version: context.model_version ?? null,
    agent_version: context.agent_version ?? null,
    query_length: context.query_length ?? null,
    session_number: sessionNumber,
    first_session: sessionNumber === 1,
    input_tokens: countValue(m.input_tokens),
    output_tokens: countValue(m.output_tokens),
    cache_read_tokens: countValue(m.cache_read_tokens),
    cache_write_tokens: countValue(m.cache_write_tokens),
    // Dropped spans are counted here so the volume is right; the other counts are lower bounds.
    span_count: countValue(closed.spans.length + closed.droppedSpanCount),
    llm_call_count: m.llm_call_count,
    tool_call_count: m.tool_call_count,
    tool_error_count: m.tool_error_count,
    step_count: m.step_count,
    error_count: m.error_count,
    error_types: errorTypes(m, timedOut, feedback),
    cost_usd: usd(m.token_cost_usd + m.tool_cost_usd),
    tool_cost_usd: usd(m.tool_cost_usd),
    weak_completion: finalOutput !== null && finalOutput.length > 0,
    strong_completion: isStrongCompletion({ completed, ...feedback }),
    closed_reason: closed.closedReason,
    closed_at: closed.closedAt,
    flags: summaryFlags(closed.flags, traceEnd),
  };
  const floor =
    enrichment.keptSuccessesInStratum === undefined
      ? undefined
      : { keptSuccessesInStratum: enrichment.keptSuccessesInStratum };
  const decision = enrichment.sampler.decide(unsampled, floor);
  const summary = { ...unsampled, sampled: decision.sampled, sampling_rule: decision.rule };
  return {
    summary,
    diagnostics: {
      unpricedModels: m.unpriced_models,
      droppedSpanCount: closed.droppedSpanCount,
      droppedEventCount: closed.droppedEventCount,
    },
    basis: revisionBasis(closed, summary),
  };
}

function revisionBasis(closed: ClosedTrace, summary: TraceSummary): RevisionBasis {
  const seen = new Set<string>();
  for (const span of closed.spans) seen.add(recordDigest('span', span.span_id));
  for (const event of closed.events) seen.add(recordDigest('event', event.event_id));
  const ratings = closed.events.filter((e) => e.type === 'rating');
  const lastRating = ratings.at(-1);
  return {
    summary,
    seen: [...seen].sort(),
    agentStepSpans: closed.spans.filter((span) => span.operation === 'agent_step').length,
    abandonmentEvent: closed.events.some((e) => e.type === 'abandonment'),
    ratingAt:
      lastRating === undefined
        ? null
        : { timestamp: lastRating.timestamp, eventId: lastRating.event_id },
  };
}

/**
 * True when the trace holds feedback only (no span, no trace_start / trace_end): its trace was
 * closed and forgotten before the feedback came. Its summary would be a phantom abandoned
 * trace; the app should rather apply the events to the stored summary with reviseTraceSummary.
 */
export function isFeedbackOnly(closed: ClosedTrace): boolean {
  return (
    closed.spans.length === 0 &&
    closed.events.every((e) => e.type !== 'trace_start' && e.type !== 'trace_end')
  );
}

function firstOfType<K extends TraceEvent['type']>(
  events: readonly TraceEvent[],
  type: K,
): TraceEventOf<K> | null {
  return (events.find((e) => e.type === type) as TraceEventOf<K> | undefined) ?? null;
}

/**
 * Timed out (DESIGN: session over its time limit) when the agent says so on trace_end, the root
 * span failed with a timeout, or the trace outlived maxTraceDurationMs. A child span's timeout
 * is a timeout error but not a session timeout.
 */
function isTimedOut(
  closed: ClosedTrace,
  traceEnd: TraceEventOf<'trace_end'> | null,
  m: SpanMetrics,
): boolean {
  return (
    traceEnd?.timed_out === true ||
    m.root?.error_type === 'timeout' ||
    closed.closedReason === 'max_duration'
  );
}

/**
 * Abandonment vs timeout: an abandonment event always means abandoned; with no trace_end, an
 * inactivity close also does (the session went silent mid-task: the user left), unless the
 * session had timed out, which is the better explanation.
 */
function deriveFeedback(
  closed: ClosedTrace,
  traceEnd: TraceEventOf<'trace_end'> | null,
  timedOut: boolean,
): FeedbackState {
  const fromEvents = closed.events.reduce(applyFeedback, NO_FEEDBACK as FeedbackState);
  const wentSilent = traceEnd === null && closed.closedReason === 'inactivity' && !timedOut;
  return wentSilent ? { ...fromEvents, abandoned: true } : fromEvents;
}

/**
 * The agent's trace_end says; without one (missing_trace_end) completion is inferred: the root
 * span ended OK and the session neither timed out nor was abandoned.
 */
function isCompleted(
  traceEnd: TraceEventOf<'trace_end'> | null,
  m: SpanMetrics,
  timedOut: boolean,
  feedback: FeedbackState,
): boolean {
  if (traceEnd !== null) return traceEnd.completed;
  return m.root !== null && m.root.status === 'OK' && !timedOut && !feedback.abandoned;
}

/**
 * The spans' extent (an enclosing root is that extent; SDK traces have many parentless spans,
 * none of which is the whole trace), else trace_start / the events; trace_end.ended_at wins the
 * end.
 */
function traceWindow(
  closed: ClosedTrace,
  traceEnd: TraceEventOf<'trace_end'> | null,
): { started_at: number; ended_at: number } {
  const spans = closed.spans;
  const events = closed.events;
  const traceStart = firstOfType(events, 'trace_start');
  const started_at =
    (spans.length > 0 ? Math.min(...spans.map((s) => s.start_time)) : undefined) ??
    traceStart?.timestamp ??
    Math.min(...events.map((e) => e.timestamp));
  const end =
    traceEnd?.ended_at ??
    (spans.length > 0 ? Math.max(...spans.map((s) => s.end_time)) : undefined) ??
    Math.max(...events.map((e) => e.timestamp));
  // Agent clocks skew: an end before the start is clamped rather than made a negative duration.
  return { started_at, ended_at: Math.max(started_at, end) };
}

function errorTypes(m: SpanMetrics, timedOut: boolean, f: FeedbackState): ErrorTypeCounts {
  // A timed-out root already is the session timeout; otherwise the session adds its own.
  const sessionTimeout = timedOut && m.root?.error_type !== 'timeout' ? 1 : 0;
  return {
    tool_failure: m.tool_failures,
    llm_refusal: m.llm_refusals,
    timeout: m.span_timeouts + sessionTimeout,
    user_abandonment: f.abandoned ? 1 : 0,
    hallucination_caught: f.hallucination_caught ? 1 : 0,
  };
}

function summaryFlags(
  structural: readonly TraceFlag[],
  traceEnd: TraceEventOf<'trace_end'> | null,
): TraceFlag[] {
  const flags = new Set(structural);
  if (traceEnd?.final_output_truncated === true) flags.add('final_output_truncated');
  return sortFlags(flags);
}

/** Flags in schema order, so equal sets compare equal. */
export function sortFlags(flags: Iterable<TraceFlag>): TraceFlag[] {
  const set = new Set(flags);
  return TraceFlagSchema.options.filter((f) => set.has(f));
}

export function countValue(n: number): number {
  return Math.min(n, MAX_COUNT);
}

/** Rounded to 1e-10 USD so float noise (0.0072 + 0.009) does not leak into stored values. */
export function usd(n: number): number {
  return Math.min(Math.round(n * 1e10) / 1e10, MAX_USD);
}

import type {
  Span,
  SpansTopicRecord,
  TraceEvent,
  TraceEventOf,
  TraceFlag,
  TraceSummary,
} from '@agentmon/contracts';
import { countValue, sortFlags, usd } from './build-trace-summary';
import { deriveSpanMetrics } from './derive-span-metrics';
import { applyFeedback, isStrongCompletion, type FeedbackState } from './feedback-state';
import { needsSpanPromotion } from './late-promotion';
import { DEFAULT_PRICE_TABLE, type PriceTable } from './price-table';
import { recordDigest } from './record-digest';
import { revisedSampling } from './sampling-policy';

/**
 * What a revision needs besides the stored summary: the facts a summary cannot say. Built at
 * close by buildTraceSummaryWithDiagnostics (`basis`), returned by every revision, stored by
 * the app next to (or instead of) the summary. Size: 16 characters per span and event of the
 * trace (≤ maxSpansPerTrace + maxEventsPerTrace + 2, plus MAX_SEEN_DIGESTS for late ones).
 */
export interface RevisionBasis {
  summary: TraceSummary;
  /** recordDigest of every span and event already folded into the summary, sorted. */
  seen: string[];
  /** agent_step spans counted (step_count falls back to llm_call_count when there are none). */
  agentStepSpans: number;
  /** abandoned came from an abandonment event, not inferred from an inactivity close. */
  abandonmentEvent: boolean;
  /** (timestamp, event_id) of the rating the summary holds: only a later rating replaces it. */
  ratingAt: { timestamp: number; eventId: string } | null;
}

/** Late records of one trace, in any order, duplicates allowed. */
export interface LateTraceRecords {
  spans?: readonly Span[];
  events?: readonly TraceEvent[];
}

export interface TraceRevision {
  /** The next revision (revision + 1, flag late_revision). */
  summary: TraceSummary;
  /** Store this in place of the previous basis. */
  basis: RevisionBasis;
  /** Late spans this revision counted (new to the trace), ordered by start_time then span_id. */
  newSpans: Span[];
  /** The trace was not sampled and now is: its short-lived spans must join the sampled ones. */
  promoteSpans: boolean;
  /** Models of the new spans priced with the default price. */
  unpricedModels: string[];
}

/** Late spans past this many remembered records are not counted (bounded basis). */
export const MAX_SEEN_DIGESTS = 4_096;

/**
 * Folds records that arrived after the trace closed into its stored summary and returns the
 * next revision, or null when nothing changed.
 *
 * A pure function of (basis, records): records already in `basis.seen` are skipped, the rest
 * are applied sorted by (time, id), so a replay after a crash (before or after the revision
 * was stored) yields either null or byte for byte the same revision.
 *
 * - late spans: span/LLM/tool/error/step counts, tokens, cost (price table), span error types,
 *   started_at / ended_at (ended_at only while there is no trace_end); a late parentless span
 *   clears missing_root and, without trace_end, decides the inferred completion;
 * - a late trace_end (the trace was closed by a timer): completion, final output, ended_at,
 *   timed_out, closed_reason trace_end, missing slice tags from its context; an abandonment
 *   that was only inferred from the inactivity close is withdrawn. A second trace_end is ignored;
 * - feedback: sticky signals, and the rating with the latest (timestamp, event_id) wins;
 * - closed_at is kept: it is when the trace first closed, and moving it could move the trace
 *   between time windows downstream.
 */
export function reviseTrace(
  basis: RevisionBasis,
  late: LateTraceRecords,
  prices: PriceTable = DEFAULT_PRICE_TABLE,
): TraceRevision | null {
  const seen = new Set(basis.seen);
  const spans = freshSpans(late.spans ?? [], seen);
  const events = freshEvents(late.events ?? [], seen);
  if (spans.length === 0 && events.length === 0) return null;

  const previous = basis.summary;
  const state: RevisionState = {
    s: { ...previous, error_types: { ...previous.error_types } },
    flags: new Set(previous.flags),
    agentStepSpans: basis.agentStepSpans,
    abandonmentEvent: basis.abandonmentEvent,
    ratingAt: basis.ratingAt,
  };
  const unpricedModels = applySpans(state, spans, prices);
  const traceEnd = events.find((e): e is TraceEventOf<'trace_end'> => e.type === 'trace_end');
  if (traceEnd !== undefined && state.flags.has('missing_trace_end'))
    applyTraceEnd(state, traceEnd);
  for (const event of events) applyFeedbackEvent(state, event);
  settleOutcome(state);

  const unchanged = { ...state.s, flags: sortFlags(state.flags) };
  if (sameContent(previous, unchanged)) return null;

  state.flags.add('late_revision');
  const draft: TraceSummary = {
    ...unchanged,
    revision: previous.revision + 1,
    flags: sortFlags(state.flags),
  };
  const summary = { ...draft, ...revisedSampling(previous, draft) };
  for (const span of spans) seen.add(recordDigest('span', span.span_id));
  for (const event of events) seen.add(recordDigest('event', event.event_id));
  return {
    summary,
    basis: {
      summary,
      seen: [...seen].sort(),
      agentStepSpans: state.agentStepSpans,
      abandonmentEvent: state.abandonmentEvent,
      ratingAt: state.ratingAt,
    },
    newSpans: spans,
    promoteSpans: needsSpanPromotion(previous, summary),
    unpricedModels,
  };
}

/**
 * The summary-only form: revises `previous` (a summary, or a basis for replay safety) with late
 * records (feedback events as before, or spans and events) and returns the next summary or
 * null. Given a bare summary nothing is known to be already applied, so only a basis makes
 * late spans safe to replay; prefer reviseTrace.
 */
export function reviseTraceSummary(
  previous: TraceSummary | RevisionBasis,
  late: readonly TraceEvent[] | LateTraceRecords,
  prices: PriceTable = DEFAULT_PRICE_TABLE,
): TraceSummary | null {
  const basis = 'summary' in previous ? previous : basisFromSummary(previous);
  const records = isEventList(late) ? { events: late } : late;
  return reviseTrace(basis, records, prices)?.summary ?? null;
}

/** Splits the assembler's late records of one trace into spans and events. */
export function lateTraceRecords(records: readonly SpansTopicRecord[]): LateTraceRecords {
  const spans: Span[] = [];
  const events: TraceEvent[] = [];
  for (const r of records) {
    if (r.kind === 'span') spans.push(r.span);
    else events.push(r.event);
  }
  return { spans, events };
}

/**
 * A basis for a summary stored without one (before this field existed): nothing is known to be
 * seen, step_count is taken as agent steps unless it equals llm_call_count, and an abandonment
 * on an inactivity close without trace_end is taken as inferred.
 */
export function basisFromSummary(summary: TraceSummary): RevisionBasis {
  const inferred =
    summary.abandoned &&
    summary.closed_reason === 'inactivity' &&
    summary.flags.includes('missing_trace_end');
  return {
    summary,
    seen: [],
    agentStepSpans: summary.step_count === summary.llm_call_count ? 0 : summary.step_count,
    abandonmentEvent: summary.abandoned && !inferred,
    ratingAt: null,
  };
}

interface RevisionState {
  s: TraceSummary;
  flags: Set<TraceFlag>;
  agentStepSpans: number;
  abandonmentEvent: boolean;
  ratingAt: RevisionBasis['ratingAt'];
}

function freshSpans(spans: readonly Span[], seen: ReadonlySet<string>): Span[] {
  const byId = new Map<string, Span>();
  for (const span of spans) {
    if (seen.size + byId.size >= MAX_SEEN_DIGESTS) break;
    if (!seen.has(recordDigest('span', span.span_id)) && !byId.has(span.span_id)) {
      byId.set(span.span_id, span);
    }
  }
  return [...byId.values()].sort(
    (a, b) => a.start_time - b.start_time || compare(a.span_id, b.span_id),
  );
}

function freshEvents(events: readonly TraceEvent[], seen: ReadonlySet<string>): TraceEvent[] {
  const byId = new Map<string, TraceEvent>();
  for (const event of events) {
    if (!seen.has(recordDigest('event', event.event_id)) && !byId.has(event.event_id)) {
      byId.set(event.event_id, event);
    }
  }
  return [...byId.values()].sort(
    (a, b) => a.timestamp - b.timestamp || compare(a.event_id, b.event_id),
  );
}

function applySpans(state: RevisionState, spans: readonly Span[], prices: PriceTable): string[] {
  if (spans.length === 0) return [];
  const m = deriveSpanMetrics(spans, prices);
  const s = state.s;
  const agentSteps = spans.filter((span) => span.operation === 'agent_step').length;
  state.agentStepSpans += agentSteps;
  s.span_count = countValue(s.span_count + spans.length);
  s.llm_call_count += m.llm_call_count;
  s.tool_call_count += m.tool_call_count;
  s.tool_error_count += m.tool_error_count;
  s.error_count += m.error_count;
  s.step_count = state.agentStepSpans > 0 ? state.agentStepSpans : s.llm_call_count;
  s.input_tokens = countValue(s.input_tokens + m.input_tokens);
  s.output_tokens = countValue(s.output_tokens + m.output_tokens);
  s.cache_read_tokens = countValue(s.cache_read_tokens + m.cache_read_tokens);
  s.cache_write_tokens = countValue(s.cache_write_tokens + m.cache_write_tokens);
  s.tool_cost_usd = usd(s.tool_cost_usd + m.tool_cost_usd);
  s.cost_usd = usd(s.cost_usd + m.token_cost_usd + m.tool_cost_usd);
  s.error_types.tool_failure += m.tool_failures;
  s.error_types.llm_refusal += m.llm_refusals;
  s.error_types.timeout += m.span_timeouts;
  s.started_at = Math.min(s.started_at, ...spans.map((span) => span.start_time));
  if (state.flags.has('missing_trace_end')) {
    s.ended_at = Math.max(s.ended_at, ...spans.map((span) => span.end_time));
  }
  const root = m.root;
  if (root !== null && state.flags.has('missing_root')) {
    state.flags.delete('missing_root');
    // Without trace_end completion is inferred from the root (see buildTraceSummary).
    if (state.flags.has('missing_trace_end')) {
      s.completed = root.status === 'OK' && !s.timed_out && !s.abandoned;
    }
  }
  return m.unpriced_models;
}

function applyTraceEnd(state: RevisionState, end: TraceEventOf<'trace_end'>): void {
  const s = state.s;
  state.flags.delete('missing_trace_end');
  if (end.final_output_truncated === true) state.flags.add('final_output_truncated');
  s.completed = end.completed;
  s.final_output = end.final_output ?? null;
  s.ended_at = end.ended_at;
  s.closed_reason = 'trace_end';
  if (end.timed_out === true && !s.timed_out) {
    s.timed_out = true;
    s.error_types.timeout += 1;
  }
  // The agent did end the task: silence was not the user leaving.
  if (!state.abandonmentEvent) s.abandoned = false;
  const c = end.context;
  if (c !== undefined) {
    s.session_id ??= c.session_id ?? null;
    s.user_id ??= c.user_id ?? null;
    s.task_type ??= c.task_type ?? null;
    s.user_segment ??= c.user_segment ?? null;
    s.platform ??= c.platform ?? null;
    s.model_version ??= c.model_version ?? null;
    s.agent_version ??= c.agent_version ?? null;
    s.query_length ??= c.query_length ?? null;
  }
}

function applyFeedbackEvent(state: RevisionState, event: TraceEvent): void {
  if (event.type === 'rating') {
    const at = state.ratingAt;
    const later =
      at === null ||
      event.timestamp > at.timestamp ||
      (event.timestamp === at.timestamp && event.event_id > at.eventId);
    if (!later) return;
    state.ratingAt = { timestamp: event.timestamp, eventId: event.event_id };
  }
  if (event.type === 'abandonment') state.abandonmentEvent = true;
  Object.assign(state.s, applyFeedback(state.s as FeedbackState, event));
}

/** The derived outcome fields, from the fields they derive from. */
function settleOutcome(state: RevisionState): void {
  const s = state.s;
  s.ended_at = Math.max(s.ended_at, s.started_at);
  s.duration_ms = s.ended_at - s.started_at;
  s.weak_completion = s.final_output !== null && s.final_output.length > 0;
  s.error_types.user_abandonment = s.abandoned ? Math.max(1, s.error_types.user_abandonment) : 0;
  s.error_types.hallucination_caught = s.hallucination_caught
    ? Math.max(1, s.error_types.hallucination_caught)
    : 0;
  s.strong_completion = isStrongCompletion(s);
}

function sameContent(a: TraceSummary, b: TraceSummary): boolean {
  return JSON.stringify(a) === JSON.stringify({ ...b, revision: a.revision, flags: a.flags })
    ? sortFlags(a.flags).join() === b.flags.join()
    : false;
}

function isEventList(
  late: readonly TraceEvent[] | LateTraceRecords,
): late is readonly TraceEvent[] {
  return Array.isArray(late);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

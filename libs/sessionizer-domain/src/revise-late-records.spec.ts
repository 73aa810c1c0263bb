import {
  TraceSummarySchema,
  type Span,
  type SpansTopicRecord,
  type TraceEvent,
} from '@agentmon/contracts';
import {
  FIXED_TIME_MS,
  makeEventEnvelope,
  makeFeedbackEvent,
  makeSpan,
  makeTraceEndEvent,
  makeTraceStartEvent,
} from '@agentmon/testing';
import { buildTraceSummaryWithDiagnostics, type BuiltTraceSummary } from './build-trace-summary';
import { lateTraceRecords, reviseTrace, reviseTraceSummary } from './revise-trace-summary';
import { SamplingPolicy } from './sampling-policy';
import { TraceAssembler } from './trace-assembler';

const T0 = FIXED_TIME_MS;
const TRACE = 'trace-late';
// A sampler that keeps no success: every upgrade below comes from the revision.
const sampler = new SamplingPolicy({ successRate: 0, rules: { firstSession: false } });

const span = (id: string, at: number, ms: number, partial: Partial<Span> = {}): Span =>
  makeSpan({
    span_id: id,
    trace_id: TRACE,
    parent_span_id: null,
    start_time: at,
    end_time: at + ms,
    attributes: { model: 'claude-sonnet-4', input_tokens: 1_000, output_tokens: 100 },
    ...partial,
  });
const spanRecord = (s: Span): SpansTopicRecord => ({
  kind: 'span',
  project_id: 'project-1',
  received_at: s.end_time + 5,
  span: s,
});
const traceStart = makeTraceStartEvent({
  event_id: 'ev-start',
  trace_id: TRACE,
  timestamp: T0,
  context: { session_id: 'session-1', task_type: 'weather' },
});
const traceEnd = makeTraceEndEvent({
  event_id: 'ev-end',
  trace_id: TRACE,
  timestamp: T0 + 400_000,
  ended_at: T0 + 400_000,
  completed: true,
  final_output: 'It is sunny',
  context: { user_id: 'user-9', platform: 'ios' },
});

/** An SDK trace whose trace_end never came in time: closed on inactivity, processed at `now`. */
function closeOnInactivity(now = T0 + 400_000): BuiltTraceSummary {
  const a = new TraceAssembler({ inactivityTimeoutMs: 300_000 });
  const records = [makeEventEnvelope(traceStart), spanRecord(span('llm-1', T0 + 1_000, 2_000))];
  records.forEach((r, i) => a.ingest(r, { partition: 0, offset: BigInt(i) }, T0 + 3_000));
  const [closed] = a.expire(now);
  expect(closed.closedReason).toBe('inactivity');
  return buildTraceSummaryWithDiagnostics(closed, { sessionNumber: null, now, sampler });
}

function valid<T extends { summary: unknown } | null>(revision: T): T {
  if (revision !== null) TraceSummarySchema.parse(revision.summary);
  return revision;
}

describe('reviseTrace: a trace_end after a timer close', () => {
  it('revises completion, output, closed reason and tags; withdraws the inferred abandonment', () => {
    const built = closeOnInactivity();
    expect(built.summary).toMatchObject({
      completed: false,
      abandoned: true,
      weak_completion: false,
      closed_reason: 'inactivity',
      flags: ['missing_trace_end'],
    });
    const revision = valid(reviseTrace(built.basis, { events: [traceEnd] }))!;
    expect(revision.summary).toMatchObject({
      revision: 1,
      completed: true,
      abandoned: false,
      final_output: 'It is sunny',
      weak_completion: true,
      strong_completion: true,
      closed_reason: 'trace_end',
      closed_at: built.summary.closed_at,
      ended_at: T0 + 400_000,
      duration_ms: 399_000,
      user_id: 'user-9',
      platform: 'ios',
      task_type: 'weather',
      error_types: { ...built.summary.error_types, user_abandonment: 0 },
      flags: ['late_revision'],
      // Was a failure (abandoned), now a success: the decision stands.
      sampled: true,
      sampling_rule: 'failure',
    });
    expect(revision.promoteSpans).toBe(false);
  });

  it('keeps an abandonment that an event reported', () => {
    const built = closeOnInactivity();
    const left = makeFeedbackEvent('abandonment', { trace_id: TRACE, event_id: 'ev-left' });
    const once = valid(reviseTrace(built.basis, { events: [left] }));
    // Abandoned already (inferred): the event changes nothing visible...
    expect(once).toBeNull();
    // ...but applied together with the trace_end it keeps the trace abandoned.
    const both = valid(reviseTrace(built.basis, { events: [left, traceEnd] }))!;
    expect(both.summary).toMatchObject({
      abandoned: true,
      completed: true,
      strong_completion: true,
    });
  });
});

describe('reviseTrace: late spans', () => {
  it('revises counts, tokens, cost, error types and the window; upgrades and promotes a new failure', () => {
    const a = new TraceAssembler({ traceEndGraceMs: 0 });
    const early = [
      makeEventEnvelope(traceStart),
      spanRecord(span('llm-1', T0 + 1_000, 2_000)),
      makeEventEnvelope({ ...traceEnd, ended_at: T0 + 9_000, timestamp: T0 + 9_000 }),
    ];
    early.forEach((r, i) => a.ingest(r, { partition: 0, offset: BigInt(i) }, T0 + 9_000));
    const [closed] = a.expire(T0 + 9_000);
    const built = buildTraceSummaryWithDiagnostics(closed, { sessionNumber: null, sampler });
    expect(built.summary).toMatchObject({ span_count: 1, sampled: false, cost_usd: 0.0045 });

    const lateSpans = [
      span('tool-fail', T0 + 3_000, 8_000, {
        operation: 'tool_call',
        status: 'ERROR',
        attributes: { tool_name: 'weather', tool_cost_usd: 0.001 },
      }),
      span('llm-2', T0 + 11_000, 1_000, {
        attributes: { model: 'claude-sonnet-4', input_tokens: 2_000, output_tokens: 200 },
      }),
    ];
    const late = lateTraceRecords(lateSpans.map(spanRecord));
    const revision = valid(reviseTrace(built.basis, late))!;
    expect(revision.summary).toMatchObject({
      revision: 1,
      span_count: 3,
      llm_call_count: 2,
      tool_call_count: 1,
      tool_error_count: 1,
      error_count: 1,
      step_count: 2,
      input_tokens: 3_000,
      output_tokens: 300,
      // 3000 * $3/M + 300 * $15/M + $0.001 tool
      cost_usd: 0.0145,
      tool_cost_usd: 0.001,
      error_types: { ...built.summary.error_types, tool_failure: 1 },
      // trace_end.ended_at still wins the end while the trace has one.
      started_at: T0 + 1_000,
      ended_at: T0 + 9_000,
      sampled: true,
      sampling_rule: 'failure',
      flags: ['late_revision'],
    });
    expect(revision.newSpans.map((s) => s.span_id)).toEqual(['tool-fail', 'llm-2']);
    expect(revision.promoteSpans).toBe(true);
  });

  it('extends ended_at with late spans while there is no trace_end', () => {
    const built = closeOnInactivity();
    const later = span('llm-late', T0 + 500_000, 1_000);
    const revision = valid(reviseTrace(built.basis, { spans: [later] }))!;
    expect(revision.summary.ended_at).toBe(T0 + 501_000);
    expect(revision.summary.duration_ms).toBe(500_000);
  });
});

describe('reviseTrace: replays are byte-identical', () => {
  const built = closeOnInactivity();
  const rating = makeFeedbackEvent('rating', {
    trace_id: TRACE,
    event_id: 'ev-rate',
    rating: 'negative',
  });
  const late = { spans: [span('llm-2', T0 + 4_000, 1_000)], events: [traceEnd, rating] };

  it('the same (basis, records) in any order give the same bytes', () => {
    const one = reviseTrace(built.basis, late)!;
    const two = reviseTrace(built.basis, {
      spans: [...late.spans, ...late.spans],
      events: [...late.events].reverse(),
    })!;
    expect(JSON.stringify(two)).toBe(JSON.stringify(one));
  });

  it('records already folded in (a redelivery, a replay after the revision was stored) give null', () => {
    const one = reviseTrace(built.basis, late)!;
    expect(reviseTrace(one.basis, late)).toBeNull();
    // A span that was assembled at close, re-sent by a client retry, is not counted twice.
    expect(reviseTrace(built.basis, { spans: [span('llm-1', T0 + 1_000, 2_000)] })).toBeNull();
    expect(reviseTrace(built.basis, { events: [traceStart] })).toBeNull();
  });

  it('an older rating arriving after a newer one does not win', () => {
    const newer = {
      ...rating,
      event_id: 'ev-newer',
      rating: 'positive' as const,
      timestamp: T0 + 900_000,
    };
    const first = reviseTrace(built.basis, { events: [newer] })!;
    expect(first.summary.rating).toBe('positive');
    expect(reviseTrace(first.basis, { events: [rating] })).toBeNull();
  });

  it('a summary does not depend on when it was processed', () => {
    const at = (now: number) => JSON.stringify(closeOnInactivity(now).summary);
    expect(at(T0 + 400_000)).toBe(at(T0 + 900_000));
  });

  it('reviseTraceSummary keeps its events-only form', () => {
    const revised = reviseTraceSummary(built.summary, [rating] as TraceEvent[]);
    expect(revised).toMatchObject({ revision: 1, rating: 'negative' });
    expect(reviseTraceSummary(built.basis, { spans: late.spans })).toMatchObject({ span_count: 2 });
  });
});

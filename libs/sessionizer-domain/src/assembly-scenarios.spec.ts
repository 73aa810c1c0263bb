import {
  TraceSummarySchema,
  type ClosedReason,
  type Span,
  type SpansTopicRecord,
  type TraceEvent,
} from '@agentmon/contracts';
import {
  FIXED_TIME_MS,
  makeEventEnvelope,
  makeSpan,
  makeTraceEndEvent,
  makeTraceStartEvent,
} from '@agentmon/testing';
import { buildTraceSummaryWithDiagnostics } from './build-trace-summary';
import type { ClosedTrace } from './closed-trace';
import { SamplingPolicy } from './sampling-policy';
import { TraceAssembler } from './trace-assembler';

const T0 = FIXED_TIME_MS;
const TRACE = 'trace-scn';
const GRACE = 5_000;
const POLICY = {
  rootGraceMs: GRACE,
  traceEndGraceMs: GRACE,
  inactivityTimeoutMs: 300_000,
  maxTraceDurationMs: 3_600_000,
};

/** One step of a scenario: a record arriving at processing time `at` (received then too). */
type Step = { at: number; record: SpansTopicRecord };

const span = (id: string, at: number, ms: number, partial: Partial<Span> = {}): Span =>
  makeSpan({
    span_id: id,
    trace_id: TRACE,
    parent_span_id: null,
    start_time: at,
    end_time: at + ms,
    ...partial,
  });
const spanAt = (at: number, s: Span): Step => ({
  at,
  record: { kind: 'span', project_id: 'project-1', received_at: at, span: s },
});
const eventAt = (at: number, e: TraceEvent): Step => ({
  at,
  record: makeEventEnvelope(e, { received_at: at }),
});
const start = (at: number) =>
  eventAt(
    at,
    makeTraceStartEvent({
      event_id: 'ev-start',
      trace_id: TRACE,
      timestamp: at,
      context: { session_id: 'session-1', user_id: 'user-1', task_type: 'weather' },
    }),
  );
const end = (at: number, partial: Partial<TraceEvent> = {}) =>
  eventAt(
    at,
    makeTraceEndEvent({
      event_id: 'ev-end',
      trace_id: TRACE,
      timestamp: at,
      ended_at: at,
      completed: true,
      final_output: 'It is sunny',
      ...(partial as object),
    }),
  );

interface Outcome {
  closed: ClosedTrace[];
  late: string[];
  /** Processing time of each close. */
  closedAt: number[];
}

/** Feeds the steps in order, calling expire every 250 ms of processing time up to `until`. */
function run(steps: readonly Step[], until: number): Outcome {
  const a = new TraceAssembler(POLICY);
  const out: Outcome = { closed: [], late: [], closedAt: [] };
  const sorted = [...steps].sort((x, y) => x.at - y.at);
  let i = 0;
  for (let now = T0; now <= until; now += 250) {
    while (i < sorted.length && sorted[i].at <= now) {
      const r = a.ingest(sorted[i].record, { partition: 0, offset: BigInt(i) }, sorted[i].at);
      out.late.push(
        ...r.late.map((l) =>
          l.record.kind === 'span' ? l.record.span.span_id : l.record.event.type,
        ),
      );
      out.closed.push(...r.closed);
      i += 1;
    }
    for (const c of a.expire(now)) {
      out.closed.push(c);
      out.closedAt.push(now);
    }
  }
  return out;
}

const S = 1_000;

describe('assembly: how agents really send', () => {
  it.each<{
    name: string;
    steps: Step[];
    until: number;
    reason: ClosedReason;
    spans: number;
    closesAt: number;
    late?: string[];
  }>([
    {
      name: 'SDK style: trace_start, parentless spans, gaps longer than the root grace, trace_end',
      steps: [
        start(T0),
        spanAt(T0 + 1 * S, span('s1', T0 + 0.5 * S, 500)),
        spanAt(T0 + 9 * S, span('s2', T0 + 1 * S, 8 * S, { operation: 'tool_call' })),
        spanAt(T0 + 30 * S, span('s3', T0 + 29 * S, 1 * S)),
        spanAt(T0 + 90 * S, span('s4', T0 + 31 * S, 59 * S, { operation: 'tool_call' })),
        end(T0 + 91 * S),
      ],
      until: T0 + 200 * S,
      reason: 'trace_end',
      spans: 4,
      closesAt: T0 + 91 * S + GRACE,
    },
    {
      name: 'SDK style without trace_end: inactivity, never root grace',
      steps: [start(T0), spanAt(T0 + 1 * S, span('s1', T0, 1 * S))],
      until: T0 + 400 * S,
      reason: 'inactivity',
      spans: 1,
      closesAt: T0 + 1 * S + 300 * S,
    },
    {
      name: 'SDK style running past the maximum duration',
      steps: [
        start(T0),
        ...Array.from({ length: 40 }, (_, k) =>
          spanAt(T0 + k * 120 * S, span(`s${k}`, T0 + k * 120 * S, 1 * S)),
        ),
      ],
      until: T0 + 3_700 * S,
      reason: 'max_duration',
      spans: 31,
      closesAt: T0 + 3_600 * S,
    },
    {
      name: 'OpenTelemetry style: one root enclosing its children, no events',
      steps: [
        spanAt(T0 + 1 * S, span('c1', T0 + 0.1 * S, 500, { parent_span_id: 'root' })),
        spanAt(T0 + 2 * S, span('c2', T0 + 1 * S, 900, { parent_span_id: 'root' })),
        spanAt(T0 + 2.5 * S, span('root', T0, 2.4 * S, { operation: 'agent_step' })),
      ],
      until: T0 + 20 * S,
      reason: 'root_grace',
      spans: 3,
      closesAt: T0 + 2.5 * S + GRACE,
    },
    {
      name: 'several roots, no events: inactivity',
      steps: [
        spanAt(T0 + 1 * S, span('r1', T0, 1 * S)),
        spanAt(T0 + 8 * S, span('r2', T0 + 2 * S, 6 * S)),
        spanAt(T0 + 20 * S, span('r3', T0 + 19 * S, 1 * S)),
      ],
      until: T0 + 400 * S,
      reason: 'inactivity',
      spans: 3,
      closesAt: T0 + 20 * S + 300 * S,
    },
    {
      name: 'spans arriving after trace_end within the grace are included',
      steps: [
        start(T0),
        spanAt(T0 + 1 * S, span('s1', T0, 1 * S)),
        end(T0 + 2 * S),
        spanAt(T0 + 4 * S, span('s2', T0 + 1 * S, 1 * S)),
        spanAt(T0 + 6.75 * S, span('s3', T0 + 1.5 * S, 0.4 * S)),
        spanAt(T0 + 9 * S, span('too-late', T0 + 1.5 * S, 0.4 * S)),
      ],
      until: T0 + 20 * S,
      reason: 'trace_end',
      spans: 3,
      closesAt: T0 + 2 * S + GRACE,
      late: ['too-late'],
    },
  ])('$name', ({ steps, until, reason, spans, closesAt, late = [] }) => {
    const out = run(steps, until);
    expect(out.closed).toHaveLength(1);
    expect(out.closed[0].closedReason).toBe(reason);
    expect(out.closed[0].spans).toHaveLength(spans);
    expect(out.closedAt).toEqual([closesAt]);
    // closed_at in record time equals when the rule fired (records were received as processed).
    expect(out.closed[0].closedAt).toBe(closesAt);
    expect(out.late).toEqual(late);
  });
});

describe('the reported bug: SDK trace with a slow tool and a failing tool call', () => {
  // trace_start; parentless llm_call; an 8 s tool call; a failing tool call; a second llm_call;
  // trace_end {completed, final_output}. Was: span_count 1, closed_reason root_grace.
  const steps: Step[] = [
    start(T0),
    spanAt(
      T0 + 2 * S,
      span('llm-1', T0 + 0.1 * S, 1.9 * S, {
        attributes: { model: 'claude-sonnet-4', input_tokens: 1_000, output_tokens: 200 },
      }),
    ),
    spanAt(
      T0 + 10 * S,
      span('tool-slow', T0 + 2 * S, 8 * S, {
        operation: 'tool_call',
        attributes: { tool_name: 'weather' },
      }),
    ),
    spanAt(
      T0 + 11 * S,
      span('tool-fail', T0 + 10 * S, 1 * S, {
        operation: 'tool_call',
        status: 'ERROR',
        error_message: 'upstream 500',
        attributes: { tool_name: 'forecast' },
      }),
    ),
    spanAt(
      T0 + 13 * S,
      span('llm-2', T0 + 11 * S, 2 * S, {
        attributes: { model: 'claude-sonnet-4', input_tokens: 2_000, output_tokens: 100 },
      }),
    ),
    end(T0 + 13.5 * S),
  ];

  it('gives one summary with every span, the tool error, both costs and trace_end outcome', () => {
    const out = run(steps, T0 + 60 * S);
    expect(out.closed).toHaveLength(1);
    const { summary } = buildTraceSummaryWithDiagnostics(out.closed[0], {
      sessionNumber: null,
      sampler: new SamplingPolicy(),
    });
    expect(TraceSummarySchema.parse(summary)).toEqual(summary);
    expect(summary).toMatchObject({
      span_count: 4,
      llm_call_count: 2,
      tool_call_count: 2,
      tool_error_count: 1,
      // (1000 + 2000) * $3/M + (200 + 100) * $15/M
      cost_usd: 0.0135,
      input_tokens: 3_000,
      output_tokens: 300,
      final_output: 'It is sunny',
      completed: true,
      weak_completion: true,
      strong_completion: true,
      closed_reason: 'trace_end',
      closed_at: T0 + 13.5 * S + GRACE,
      started_at: T0 + 0.1 * S,
      ended_at: T0 + 13.5 * S,
      task_type: 'weather',
      flags: [],
    });
    expect(summary.error_types.tool_failure).toBe(1);
  });

  it('closes the same with any root grace, however slow the tool', () => {
    const out = run(steps, T0 + 60 * S);
    expect(out.closedAt).toEqual([T0 + 13.5 * S + GRACE]);
  });
});

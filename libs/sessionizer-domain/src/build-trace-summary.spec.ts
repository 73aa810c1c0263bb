import {
  TraceSummarySchema,
  type Span,
  type TraceEvent,
  type TraceSummary,
} from '@agentmon/contracts';
import {
  FIXED_TIME_MS,
  makeFeedbackEvent,
  makeSpan,
  makeTrace,
  makeTraceEndEvent,
  makeTraceStartEvent,
  type MakeTraceOptions,
} from '@agentmon/testing';
import {
  buildTraceSummary,
  buildTraceSummaryWithDiagnostics,
  isFeedbackOnly,
  type SummaryEnrichment,
} from './build-trace-summary';
import type { ClosedTrace } from './closed-trace';
import type { PriceTable } from './price-table';
import { SamplingPolicy, type TraceSampler } from './sampling-policy';
import { TraceAssembler } from './trace-assembler';

const T0 = FIXED_TIME_MS;
const NOW = T0 + 60_000;
const KEEP_NOTHING: TraceSampler = { decide: () => ({ sampled: false, rule: 'unsampled' }) };
const enrichment = (partial: Partial<SummaryEnrichment> = {}): SummaryEnrichment => ({
  sessionNumber: null,
  now: NOW,
  sampler: KEEP_NOTHING,
  ...partial,
});

/** Assembles a generated trace through the real assembler. */
function closeGenerated(options: MakeTraceOptions = {}): ClosedTrace {
  const assembler = new TraceAssembler();
  const trace = makeTrace({ seed: 1, ...options });
  trace.records.forEach((r, i) => assembler.ingest(r, { partition: 0, offset: BigInt(i) }, T0));
  const [closed] = assembler.expire(T0 + 10_000);
  return closed;
}

function closed(partial: Partial<ClosedTrace> = {}): ClosedTrace {
  return {
    projectId: 'project-1',
    traceId: 'trace-1',
    partition: 0,
    spans: [],
    events: [],
    closedReason: 'trace_end',
    closedAt: NOW,
    announced: false,
    flags: [],
    firstOffset: 0n,
    droppedSpanCount: 0,
    droppedEventCount: 0,
    ...partial,
  };
}

const root = (partial: Partial<Span> = {}) =>
  makeSpan({
    span_id: 'span-root',
    trace_id: 'trace-1',
    operation: 'agent_step',
    start_time: T0,
    end_time: T0 + 10_000,
    attributes: {},
    ...partial,
  });
const child = (partial: Partial<Span> = {}, seed = 1) =>
  makeSpan(
    {
      trace_id: 'trace-1',
      parent_span_id: 'span-root',
      start_time: T0 + 100,
      attributes: {},
      ...partial,
    },
    { seed },
  );
const end = (partial: Partial<Extract<TraceEvent, { type: 'trace_end' }>> = {}) =>
  makeTraceEndEvent({ trace_id: 'trace-1', ended_at: T0 + 10_000, ...partial }, { seed: 'e' });

/** Builds and checks the contract on every summary these tests produce. */
function summarize(c: ClosedTrace, e = enrichment(), prices?: PriceTable): TraceSummary {
  const summary = buildTraceSummary(c, e, prices);
  expect(TraceSummarySchema.parse(summary)).toEqual(summary);
  return summary;
}

describe('buildTraceSummary: a complete trace', () => {
  it('derives every field of a successful generated trace', () => {
    const summary = summarize(closeGenerated());
    expect(summary).toEqual({
      trace_id: expect.any(String),
      project_id: 'project-1',
      revision: 0,
      session_id: 'session-1',
      user_id: 'user-1',
      started_at: T0,
      ended_at: T0 + 380,
      duration_ms: 380,
      final_output: 'Done: the function now handles empty input.',
      completed: true,
      rating: 'none',
      corrected: false,
      escalated: false,
      safety_flagged: false,
      abandoned: false,
      timed_out: false,
      hallucination_caught: false,
      accepted: false,
      output_copied: false,
      follow_up: false,
      task_type: 'code_review',
      user_segment: 'enterprise',
      platform: 'web',
      model_version: 'claude-sonnet-4',
      agent_version: '1.4.0',
      query_length: 120,
      session_number: 3,
      first_session: false,
      input_tokens: 2400,
      output_tokens: 600,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
      span_count: 4,
      llm_call_count: 2,
      tool_call_count: 1,
      tool_error_count: 0,
      step_count: 1,
      error_count: 0,
      error_types: {
        tool_failure: 0,
        llm_refusal: 0,
        timeout: 0,
        user_abandonment: 0,
        hallucination_caught: 0,
      },
      cost_usd: 0.0162,
      tool_cost_usd: 0,
      weak_completion: true,
      strong_completion: true,
      sampled: false,
      sampling_rule: 'unsampled',
      closed_reason: 'trace_end',
      // Record time: trace_end received at T0 + 385, plus traceEndGraceMs (never processing time).
      closed_at: T0 + 385 + 5_000,
      flags: [],
    });
  });

  it('asks the sampler with the derived fields and stores its decision', () => {
    const sampler = new SamplingPolicy();
    const summary = summarize(closeGenerated({ failing: 'tool_failure' }), enrichment({ sampler }));
    expect(summary).toMatchObject({ sampled: true, sampling_rule: 'failure' });
  });
});

describe('buildTraceSummary: error types', () => {
  const zero = {
    tool_failure: 0,
    llm_refusal: 0,
    timeout: 0,
    user_abandonment: 0,
    hallucination_caught: 0,
  };
  it.each<[string, ClosedTrace, Partial<TraceSummary>]>([
    [
      'a failed tool call is a tool failure',
      closeGenerated({ failing: 'tool_failure' }),
      { error_types: { ...zero, tool_failure: 1 }, error_count: 1, tool_error_count: 1 },
    ],
    [
      'an llm_call with error_type llm_refusal is a refusal',
      closeGenerated({ failing: 'llm_refusal' }),
      { error_types: { ...zero, llm_refusal: 1 }, error_count: 1, tool_error_count: 0 },
    ],
    [
      'an OK llm_call that stopped with "refusal" is a refusal but not an error',
      closed({
        spans: [root(), child({ attributes: { stop_reason: 'refusal' } })],
        events: [end()],
      }),
      { error_types: { ...zero, llm_refusal: 1 }, error_count: 0 },
    ],
    [
      'a root that timed out is one session timeout',
      closeGenerated({ failing: 'timeout', spans: 3 }),
      { error_types: { ...zero, timeout: 1 }, timed_out: true, error_count: 1 },
    ],
    [
      'a timed-out tool call is a timeout, not a tool failure, and not a session timeout',
      closed({
        spans: [root(), child({ operation: 'tool_call', status: 'ERROR', error_type: 'timeout' })],
        events: [end()],
      }),
      { error_types: { ...zero, timeout: 1 }, timed_out: false, tool_error_count: 1 },
    ],
    [
      'a rate-limited tool call is a tool failure',
      closed({
        spans: [
          root(),
          child({ operation: 'tool_call', status: 'ERROR', error_type: 'rate_limited' }),
        ],
        events: [end()],
      }),
      { error_types: { ...zero, tool_failure: 1 }, error_count: 1 },
    ],
    [
      'trace_end timed_out without a timed-out root adds the session timeout',
      closed({ spans: [root()], events: [end({ timed_out: true, completed: false })] }),
      { error_types: { ...zero, timeout: 1 }, timed_out: true },
    ],
    [
      'a max_duration close is a session timeout',
      closed({ spans: [child()], closedReason: 'max_duration' }),
      { error_types: { ...zero, timeout: 1 }, timed_out: true, abandoned: false },
    ],
    [
      'an abandonment event is a user abandonment',
      closed({
        spans: [root()],
        events: [end(), makeFeedbackEvent('abandonment', { trace_id: 'trace-1' })],
      }),
      { error_types: { ...zero, user_abandonment: 1 }, abandoned: true, completed: true },
    ],
    [
      'an inactivity close without trace_end is a user abandonment',
      closed({ spans: [child()], closedReason: 'inactivity' }),
      { error_types: { ...zero, user_abandonment: 1 }, abandoned: true, completed: false },
    ],
    [
      'an inactivity close of a timed-out session is a timeout, not an abandonment',
      closed({
        spans: [root({ status: 'ERROR', error_type: 'timeout' })],
        closedReason: 'inactivity',
      }),
      { error_types: { ...zero, timeout: 1 }, abandoned: false, timed_out: true },
    ],
    [
      'an inactivity close after trace_end is not an abandonment',
      closed({ spans: [root()], events: [end()], closedReason: 'inactivity' }),
      { error_types: zero, abandoned: false },
    ],
    [
      'a hallucination_caught event counts',
      closed({
        spans: [root()],
        events: [end(), makeFeedbackEvent('hallucination_caught', { trace_id: 'trace-1' })],
      }),
      { error_types: { ...zero, hallucination_caught: 1 }, hallucination_caught: true },
    ],
  ])('%s', (_label, c, expected) => {
    expect(summarize(c)).toMatchObject(expected);
  });
});

describe('buildTraceSummary: counts and window', () => {
  it('counts agent_step spans as steps, falling back to llm calls when there are none', () => {
    const steps = closed({
      spans: [root(), child({ operation: 'agent_step' }, 2), child({}, 3), child({}, 4)],
    });
    expect(summarize(steps)).toMatchObject({ step_count: 2, llm_call_count: 2 });
    const flat = closed({ spans: [child({}, 2), child({}, 3), child({}, 4)] });
    expect(summarize(flat)).toMatchObject({ step_count: 3, llm_call_count: 3 });
  });

  it('sums tokens of llm_call and embedding spans only (roll-ups would double count)', () => {
    const tokens = { input_tokens: 100, output_tokens: 10, cache_read_tokens: 5 };
    const summary = summarize(
      closed({
        spans: [
          root({ attributes: { input_tokens: 999 } }),
          child({ attributes: { ...tokens, cache_write_tokens: 7 } }, 2),
          child({ operation: 'embedding', attributes: { input_tokens: 50 } }, 3),
        ],
      }),
    );
    expect(summary).toMatchObject({
      input_tokens: 150,
      output_tokens: 10,
      cache_read_tokens: 5,
      cache_write_tokens: 7,
    });
  });

  it('counts a model call recorded twice (an LLM span nested in an LLM span) once', () => {
    // OpenInference's LLM span around the Anthropic SDK's own chat span: same call, same usage.
    const usage = { model: 'claude-haiku-4-5', input_tokens: 120, output_tokens: 45 };
    const outer = child({ span_id: 'span-oi', attributes: usage }, 2);
    const inner = child({ span_id: 'span-sdk', parent_span_id: 'span-oi', attributes: usage }, 3);
    const failedOuter = child(
      { span_id: 'span-oi-2', status: 'ERROR', error_type: 'timeout', attributes: usage },
      4,
    );
    const failedInner = child(
      {
        span_id: 'span-sdk-2',
        parent_span_id: 'span-oi-2',
        status: 'ERROR',
        error_type: 'timeout',
        attributes: usage,
      },
      5,
    );
    const embedding = { operation: 'embedding' as const, attributes: { input_tokens: 50 } };
    const summary = summarize(
      closed({
        spans: [
          root(),
          outer,
          inner,
          failedOuter,
          failedInner,
          child({ span_id: 'span-emb', ...embedding }, 6),
          child({ span_id: 'span-emb-2', parent_span_id: 'span-emb', ...embedding }, 7),
          // An LLM call made by a tool is a call of its own.
          child({ span_id: 'span-tool', operation: 'tool_call' }, 8),
          child({ span_id: 'span-in-tool', parent_span_id: 'span-tool', attributes: usage }, 9),
        ],
        events: [end()],
      }),
    );
    expect(summary).toMatchObject({
      span_count: 9,
      llm_call_count: 3,
      input_tokens: 3 * 120 + 50,
      output_tokens: 3 * 45,
      error_count: 1,
      error_types: expect.objectContaining({ timeout: 1 }),
    });
    expect(summary.cost_usd).toBeCloseTo((410 * 3 + 135 * 15) / 1e6, 12);
  });

  it('takes the window from the root span, ended by trace_end.ended_at', () => {
    const summary = summarize(
      closed({ spans: [root(), child()], events: [end({ ended_at: T0 + 12_000 })] }),
    );
    expect(summary).toMatchObject({ started_at: T0, ended_at: T0 + 12_000, duration_ms: 12_000 });
  });

  it('without a root, spans the children; without spans, the events', () => {
    const rootless = closed({
      spans: [
        child({ start_time: T0 + 100, end_time: T0 + 300 }, 1),
        child({ start_time: T0 + 50, end_time: T0 + 200 }, 2),
      ],
    });
    expect(summarize(rootless)).toMatchObject({ started_at: T0 + 50, ended_at: T0 + 300 });
    const eventsOnly = closed({
      events: [
        makeTraceStartEvent({ trace_id: 'trace-1', timestamp: T0 }),
        makeFeedbackEvent('follow_up', { trace_id: 'trace-1', timestamp: T0 + 9 }),
      ],
    });
    expect(summarize(eventsOnly)).toMatchObject({ started_at: T0, ended_at: T0 + 9 });
  });

  it('clamps an end before the start (clock skew) to a zero duration', () => {
    const summary = summarize(closed({ spans: [root()], events: [end({ ended_at: T0 - 5 })] }));
    expect(summary).toMatchObject({ started_at: T0, ended_at: T0, duration_ms: 0 });
  });

  it('counts dropped spans in span_count and keeps the structural flags', () => {
    const summary = summarize(
      closed({ spans: [root()], droppedSpanCount: 5, flags: ['spans_truncated'] }),
    );
    expect(summary).toMatchObject({ span_count: 6, flags: ['spans_truncated'] });
  });

  it('flags a truncated final output', () => {
    const summary = summarize(
      closed({ spans: [root()], events: [end({ final_output_truncated: true })] }),
    );
    expect(summary.flags).toEqual(['final_output_truncated']);
  });
});

describe('buildTraceSummary: cost', () => {
  const llm = (model: string, seed: number) =>
    child(
      {
        attributes: {
          model,
          input_tokens: 1_000_000,
          output_tokens: 100_000,
          cache_read_tokens: 1_000_000,
          cache_write_tokens: 100_000,
        },
      },
      seed,
    );

  it('prices tokens with the default table ($3 / $15, cache 0.30 / 3.75 per million)', () => {
    const { summary, diagnostics } = buildTraceSummaryWithDiagnostics(
      closed({ spans: [llm('claude-sonnet-4', 1)] }),
      enrichment(),
    );
    expect(summary.cost_usd).toBeCloseTo(3 + 1.5 + 0.3 + 0.375, 9);
    expect(diagnostics.unpricedModels).toEqual(['claude-sonnet-4']);
  });

  it('prices with a custom table by exact name or longest prefix, defaulting the rest', () => {
    const prices: PriceTable = {
      models: {
        'model-a': {
          inputPerMillion: 1,
          outputPerMillion: 2,
          cacheReadPerMillion: 0,
          cacheWritePerMillion: 0,
        },
        'model-a-large': {
          inputPerMillion: 10,
          outputPerMillion: 20,
          cacheReadPerMillion: 1,
          cacheWritePerMillion: 10,
        },
      },
      defaultPrice: {
        inputPerMillion: 100,
        outputPerMillion: 0,
        cacheReadPerMillion: 0,
        cacheWritePerMillion: 0,
      },
    };
    const cost = (model: string) =>
      buildTraceSummaryWithDiagnostics(closed({ spans: [llm(model, 1)] }), enrichment(), prices);
    expect(cost('model-a').summary.cost_usd).toBeCloseTo(1 + 0.2, 9);
    expect(cost('model-a-large-2025').summary.cost_usd).toBeCloseTo(10 + 2 + 1 + 1, 9);
    const unknown = cost('other-model');
    expect(unknown.summary.cost_usd).toBeCloseTo(100, 9);
    expect(unknown.diagnostics.unpricedModels).toEqual(['other-model']);
  });

  it('adds tool_cost_usd from any span to the cost', () => {
    const summary = summarize(
      closed({
        spans: [
          root(),
          child({ operation: 'tool_call', attributes: { tool_cost_usd: 0.25 } }, 2),
          child({ operation: 'retrieval', attributes: { tool_cost_usd: 0.5 } }, 3),
        ],
      }),
    );
    expect(summary).toMatchObject({ tool_cost_usd: 0.75, cost_usd: 0.75 });
  });
});

describe('buildTraceSummary: completion', () => {
  const feedback = (...types: Parameters<typeof makeFeedbackEvent>[0][]) =>
    types.map((t, i) => makeFeedbackEvent(t, { trace_id: 'trace-1' }, { seed: i }));
  it.each<[string, TraceEvent[], boolean, boolean, boolean]>([
    // label, events, completed, weak, strong
    ['completed with output', [end()], true, true, true],
    ['completed without output', [end({ final_output: null })], true, false, true],
    ['completed with empty output', [end({ final_output: '' })], true, false, true],
    ['not completed', [end({ completed: false })], false, true, false],
    ['corrected', [end(), ...feedback('user_correction')], true, true, false],
    ['escalated', [end(), ...feedback('escalation')], true, true, false],
    [
      'rated negative',
      [end(), makeFeedbackEvent('rating', { trace_id: 'trace-1', rating: 'negative' })],
      true,
      true,
      false,
    ],
    ['rated positive', [end(), ...feedback('rating')], true, true, true],
    ['accepted and copied', [end(), ...feedback('accepted', 'output_copied')], true, true, true],
  ])('%s', (_label, events, completed, weak, strong) => {
    expect(summarize(closed({ spans: [root()], events }))).toMatchObject({
      completed,
      weak_completion: weak,
      strong_completion: strong,
    });
  });

  it('the last rating by timestamp wins', () => {
    const events = [
      end(),
      makeFeedbackEvent('rating', { trace_id: 'trace-1', rating: 'positive', timestamp: NOW + 2 }),
      makeFeedbackEvent('rating', { trace_id: 'trace-1', rating: 'negative', timestamp: NOW + 1 }),
    ].sort((a, b) => a.timestamp - b.timestamp);
    expect(summarize(closed({ spans: [root()], events })).rating).toBe('positive');
  });

  it.each<[string, Partial<ClosedTrace>, boolean]>([
    ['root OK, closed by root grace', { spans: [root()], closedReason: 'root_grace' }, true],
    [
      'root ERROR',
      { spans: [root({ status: 'ERROR', error_type: 'other' })], closedReason: 'root_grace' },
      false,
    ],
    ['no root', { spans: [child()], closedReason: 'cap_exceeded' }, false],
  ])('infers completion without trace_end: %s', (_label, partial, completed) => {
    const summary = summarize(closed({ flags: ['missing_trace_end'], ...partial }));
    expect(summary).toMatchObject({ completed, weak_completion: false });
    expect(summary.flags).toContain('missing_trace_end');
  });
});

describe('buildTraceSummary: context and session', () => {
  it('keeps the first value per field: trace_start, then trace_end', () => {
    const start = makeTraceStartEvent({
      trace_id: 'trace-1',
      context: { task_type: 'qa', session_id: 'session-a' },
    });
    const finish = end({
      context: { task_type: 'other', user_id: 'user-b', platform: 'ios', query_length: 0 },
    });
    const summary = summarize(closed({ spans: [root()], events: [start, finish] }));
    expect(summary).toMatchObject({
      task_type: 'qa',
      session_id: 'session-a',
      user_id: 'user-b',
      platform: 'ios',
      query_length: 0,
      user_segment: null,
      model_version: null,
      agent_version: null,
      session_number: null,
      first_session: false,
    });
  });

  it.each<[string, number | null, number | undefined, number | null, boolean]>([
    ['enrichment says first', 1, undefined, 1, true],
    ['enrichment wins over the context', 4, 1, 4, false],
    ['context fills a null enrichment', null, 1, 1, true],
    ['neither knows', null, undefined, null, false],
  ])('%s', (_label, sessionNumber, fromContext, expected, first) => {
    const start = makeTraceStartEvent({
      trace_id: 'trace-1',
      context: fromContext === undefined ? {} : { session_number: fromContext },
    });
    const summary = summarize(
      closed({ spans: [root()], events: [start, end()] }),
      enrichment({ sessionNumber }),
    );
    expect(summary).toMatchObject({ session_number: expected, first_session: first });
  });
});

describe('isFeedbackOnly', () => {
  it.each<[string, Partial<ClosedTrace>, boolean]>([
    ['feedback only', { events: [makeFeedbackEvent('rating', { trace_id: 'trace-1' })] }, true],
    ['a span', { spans: [root()] }, false],
    ['a trace_start', { events: [makeTraceStartEvent({ trace_id: 'trace-1' })] }, false],
  ])('%s → %p', (_label, partial, expected) => {
    expect(isFeedbackOnly(closed(partial))).toBe(expected);
  });
});

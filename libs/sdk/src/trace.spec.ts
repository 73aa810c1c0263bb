import { Limits, SpanIngestSchema, TraceEventIngestSchema } from '@agentmon/contracts';
import { RecordingSink } from './testing/recording-sink';
import { Trace } from './trace';

function expectValid(sink: RecordingSink): void {
  for (const span of sink.spans) expect(SpanIngestSchema.safeParse(span).error).toBeUndefined();
  for (const event of sink.events)
    expect(TraceEventIngestSchema.safeParse(event).error).toBeUndefined();
}

describe('Trace', () => {
  it('sends trace_start with the context mapped to the contract', () => {
    const sink = new RecordingSink();
    const trace = new Trace(sink, {
      sessionId: 'sess-1',
      userId: 'ada@example.com',
      taskType: 'code_review',
      userSegment: 'enterprise',
      platform: 'web',
      modelVersion: 'claude-sonnet-4-6',
      agentVersion: '1.4.0',
      queryLength: 42,
      sessionNumber: 1,
    });
    expect(sink.events).toHaveLength(1);
    expect(sink.events[0]).toMatchObject({
      type: 'trace_start',
      trace_id: trace.traceId,
      context: {
        session_id: 'sess-1',
        task_type: 'code_review',
        user_segment: 'enterprise',
        platform: 'web',
        model_version: 'claude-sonnet-4-6',
        agent_version: '1.4.0',
        query_length: 42,
        session_number: 1,
      },
    });
    // The e-mail is not sent; a stable hash stands in for it.
    const context = (sink.events[0] as { context: { user_id: string } }).context;
    expect(context.user_id).toMatch(/^h:/);
    expectValid(sink);
  });

  it('uses a given trace id and leaves out context the agent did not give', () => {
    const sink = new RecordingSink();
    const trace = new Trace(sink, { traceId: 'trace-7', queryLength: -3 });
    expect(trace.traceId).toBe('trace-7');
    expect(sink.events[0]).toMatchObject({ context: {} });
    expect(Object.keys((sink.events[0] as { context: object }).context)).toEqual([]);
  });

  it('nests spans and exports each when it ends', () => {
    const sink = new RecordingSink();
    const trace = new Trace(sink);
    const step = trace.startSpan({ operation: 'agent_step', name: 'plan' });
    const retrieval = trace.startSpan({ operation: 'retrieval', name: 'search', parent: step });
    retrieval.setAttribute('documents', 3).addEvent('cache_miss', { key: 'q1' });
    retrieval.end();
    expect(sink.spans).toHaveLength(1);
    step.setAttributes({ model: 'claude', input_tokens: 5 }).end();
    expect(sink.span('plan')).toMatchObject({
      parent_span_id: null,
      status: 'OK',
      attributes: { model: 'claude', input_tokens: 5 },
    });
    expect(sink.span('search')).toMatchObject({
      parent_span_id: step.spanId,
      trace_id: trace.traceId,
      attributes: { documents: 3 },
      events: [{ name: 'cache_miss', attributes: { key: 'q1' } }],
    });
    expectValid(sink);
  });

  it('records errors, ignores changes after end and exports a span once', () => {
    const sink = new RecordingSink();
    const trace = new Trace(sink);
    const span = trace.startSpan({ operation: 'tool_call', name: 'fetch' });
    span.setError('x'.repeat(10_000), 'tool_failure');
    span.end();
    span.setAttribute('late', 1).setError('late').end();
    expect(sink.spans).toHaveLength(1);
    expect(sink.spans[0]).toMatchObject({ status: 'ERROR', error_type: 'tool_failure' });
    expect(sink.spans[0].error_message).toHaveLength(Limits.errorMessageMaxChars);
    expect(sink.spans[0].attributes).not.toHaveProperty('late');
    expectValid(sink);
  });

  it('withSpan marks the span failed and rethrows the agent error unchanged', async () => {
    const sink = new RecordingSink();
    const trace = new Trace(sink);
    const boom = new Error('tool exploded');
    await expect(
      trace.withSpan({ operation: 'tool_call', name: 'run' }, () => Promise.reject(boom)),
    ).rejects.toBe(boom);
    await expect(trace.withSpan({ operation: 'agent_step', name: 'ok' }, () => 7)).resolves.toBe(7);
    expect(sink.span('run')).toMatchObject({ status: 'ERROR', error_message: 'tool exploded' });
    expect(sink.span('ok')).toMatchObject({ status: 'OK' });
  });

  it('opens a tool call with truncated input and closes it with the result', () => {
    const sink = new RecordingSink();
    const trace = new Trace(sink);
    trace.startToolCall({ toolUseId: 'toolu_1', name: 'search', input: { q: 'y'.repeat(900) } });
    trace.startToolCall({ toolUseId: 'toolu_2', name: 'shell', input: 'ls' });
    expect(sink.spans).toHaveLength(0);
    expect(trace.recordToolResult('toolu_1', { output: 'found 3 results' })).toBe(true);
    expect(trace.recordToolResult('toolu_2', { output: 'permission denied', isError: true })).toBe(
      true,
    );
    expect(trace.recordToolResult('toolu_2', { output: 'again' })).toBe(false);
    expect(trace.recordToolResult('unknown')).toBe(false);
    const [search, shell] = sink.spans;
    expect(search).toMatchObject({
      operation: 'tool_call',
      status: 'OK',
      attributes: {
        tool_name: 'search',
        tool_use_id: 'toolu_1',
        tool_input_truncated: true,
        tool_output_length: 15,
      },
    });
    expect((search.attributes as { tool_input: string }).tool_input).toHaveLength(
      Limits.toolInputMaxChars,
    );
    expect(shell).toMatchObject({
      status: 'ERROR',
      error_type: 'tool_failure',
      error_message: 'permission denied',
      attributes: { tool_input: 'ls', tool_output_length: 17 },
    });
    expectValid(sink);
  });

  it('end() closes open spans, flags missing tool results and sends trace_end once', () => {
    const sink = new RecordingSink();
    const trace = new Trace(sink);
    trace.startSpan({ operation: 'agent_step', name: 'open' });
    trace.startToolCall({ toolUseId: 'toolu_9', name: 'never_ran' });
    trace.end({ completed: true, finalOutput: 'z'.repeat(Limits.finalOutputMaxChars + 10) });
    trace.end({ completed: false });
    expect(sink.spans.map((s) => s.name).sort()).toEqual(['never_ran', 'open']);
    expect(sink.span('never_ran').attributes).toMatchObject({ tool_result_missing: true });
    const ends = sink.events.filter((e) => e.type === 'trace_end');
    expect(ends).toHaveLength(1);
    expect(ends[0]).toMatchObject({ completed: true, final_output_truncated: true });
    expect((ends[0] as { final_output: string }).final_output).toHaveLength(
      Limits.finalOutputMaxChars,
    );
    expect(trace.isEnded).toBe(true);
    expectValid(sink);
  });

  it('turns feedback into contract events on the same trace', () => {
    const sink = new RecordingSink();
    const trace = new Trace(sink);
    trace.feedback({ type: 'rating', rating: 'negative', comment: 'c'.repeat(5000) });
    trace.feedback({ type: 'user_correction' });
    trace.feedback({ type: 'safety_flag', category: 'jailbreak' });
    const [, rating, correction, flag] = sink.events;
    expect(rating).toMatchObject({ type: 'rating', rating: 'negative', trace_id: trace.traceId });
    expect((rating as { comment: string }).comment).toHaveLength(Limits.feedbackTextMaxChars);
    expect(correction).toMatchObject({ type: 'user_correction', trace_id: trace.traceId });
    expect(flag).toMatchObject({ type: 'safety_flag', category: 'jailbreak' });
    expectValid(sink);
  });

  it('does not throw on nonsense from untyped callers', () => {
    const sink = new RecordingSink();
    const trace = new Trace(sink);
    const span = trace.startSpan({ operation: 'agent_step', parent: {} as never });
    expect(() => {
      span.setAttributes(null as never);
      span.setAttribute('obj', { nested: true } as never);
      span.addEvent('', { a: 1 });
      span.setError(undefined as never);
      span.end(Number.NaN);
      trace.end(undefined as never);
    }).not.toThrow();
    expect(sink.spans[0].parent_span_id).toBeNull();
    expect(sink.spans[0].attributes).toEqual({});
  });
});

import {
  AlertSchema,
  DeadLetterSchema,
  MetricWindowSchema,
  parseTopicRecord,
  parseWith,
  SpanSchema,
  SpansTopicRecordSchema,
  TRACE_EVENT_TYPES,
  TraceEventSchema,
  TraceSummarySchema,
  Topics,
  type FeedbackEventType,
} from '@agentmon/contracts';
import type { z } from 'zod';
import { createIdGenerator } from './id-generator';
import { makeAlert, makeDeadLetter } from './make-alert';
import { makeMetricWindow } from './make-metric-window';
import { makeEventEnvelope, makeSpan, makeSpanEnvelope } from './make-span';
import { makeTrace, type MakeTraceOptions } from './make-trace';
import { makeFeedbackEvent, makeTraceEndEvent, makeTraceStartEvent } from './make-trace-event';
import { makeTraceSummary } from './make-trace-summary';

const FEEDBACK_TYPES = TRACE_EVENT_TYPES.filter(
  (t): t is FeedbackEventType => t !== 'trace_start' && t !== 'trace_end',
);

describe('every factory output parses with its schema', () => {
  it.each<[string, z.ZodType, unknown]>([
    ['makeSpan', SpanSchema, makeSpan()],
    [
      'makeSpan (tool call)',
      SpanSchema,
      makeSpan({ operation: 'tool_call', attributes: { tool_name: 't' } }),
    ],
    ['makeSpanEnvelope', SpansTopicRecordSchema, makeSpanEnvelope()],
    ['makeEventEnvelope', SpansTopicRecordSchema, makeEventEnvelope(makeTraceEndEvent())],
    ['makeTraceStartEvent', TraceEventSchema, makeTraceStartEvent()],
    ['makeTraceEndEvent', TraceEventSchema, makeTraceEndEvent()],
    ...FEEDBACK_TYPES.map((t): [string, z.ZodType, unknown] => [
      `makeFeedbackEvent(${t})`,
      TraceEventSchema,
      makeFeedbackEvent(t),
    ]),
    ['makeTraceSummary', TraceSummarySchema, makeTraceSummary()],
    [
      'makeTraceSummary (moved times)',
      TraceSummarySchema,
      makeTraceSummary({ started_at: Date.UTC(2026, 0, 1) }),
    ],
    ['makeMetricWindow', MetricWindowSchema, makeMetricWindow()],
    ['makeMetricWindow (5 min)', MetricWindowSchema, makeMetricWindow({ window_size_ms: 300_000 })],
    ['makeAlert', AlertSchema, makeAlert()],
    ['makeDeadLetter', DeadLetterSchema, makeDeadLetter()],
  ])('%s', (_name, schema, value) => {
    expect(parseWith(schema, value)).toEqual({ ok: true, value });
  });
});

describe('makeTrace', () => {
  it.each<[string, MakeTraceOptions]>([
    ['a single root span', { spans: 1 }],
    ['the default trace', {}],
    ['a long trace', { spans: 25 }],
    ['a tool failure', { spans: 5, failing: 'tool_failure' }],
    ['a tool failure with one child', { spans: 2, failing: 'tool_failure' }],
    ['an llm refusal', { spans: 4, failing: 'llm_refusal' }],
    ['a timeout', { spans: 3, failing: 'timeout' }],
  ])('%s is coherent and every record parses', (_label, options) => {
    const trace = makeTrace(options);
    const { spans, root, records } = trace;

    expect(spans).toHaveLength(options.spans ?? 4);
    expect(records).toHaveLength(spans.length + 2);
    for (const record of records) {
      expect(parseTopicRecord(Topics.spans, record)).toEqual({ ok: true, value: record });
      expect(record.project_id).toBe(trace.project_id);
    }

    expect(spans.filter((s) => s.parent_span_id === null)).toEqual([root]);
    expect(root.operation).toBe('agent_step');
    for (const span of spans) {
      expect(span.trace_id).toBe(trace.trace_id);
      if (span === root) continue;
      expect(span.parent_span_id).toBe(root.span_id);
      expect(span.start_time).toBeGreaterThanOrEqual(root.start_time);
      expect(span.end_time).toBeLessThanOrEqual(root.end_time);
    }
    expect(new Set(spans.map((s) => s.span_id)).size).toBe(spans.length);
  });

  it.each([
    ['tool_failure', 'tool_call'],
    ['llm_refusal', 'llm_call'],
    ['timeout', 'agent_step'],
  ] as const)(
    '%s marks one %s span as the failure and the trace as not completed',
    (failing, op) => {
      const trace = makeTrace({ spans: 6, failing });
      const errors = trace.spans.filter((s) => s.status === 'ERROR');
      expect(errors).toEqual([expect.objectContaining({ operation: op, error_type: failing })]);
      expect(trace.events[1]).toMatchObject({
        type: 'trace_end',
        completed: false,
        final_output: null,
      });
    },
  );

  it('a successful trace completes with a final output', () => {
    const trace = makeTrace({ spans: 3 });
    expect(trace.spans.every((s) => s.status === 'OK')).toBe(true);
    expect(trace.events.map((e) => e.type)).toEqual(['trace_start', 'trace_end']);
    expect(trace.events[1]).toMatchObject({ completed: true, ended_at: trace.root.end_time });
  });

  it('is deterministic for a seed and random without one', () => {
    expect(makeTrace({ seed: 7 })).toEqual(makeTrace({ seed: 7 }));
    expect(makeTrace({ seed: 7 }).trace_id).not.toBe(makeTrace({ seed: 8 }).trace_id);
    expect(makeTrace().trace_id).not.toBe(makeTrace().trace_id);
    expect(makeSpan({}, { seed: 'a' })).toEqual(makeSpan({}, { seed: 'a' }));
  });

  it.each([0, 1.5, -2])('rejects spans: %p', (spans) => {
    expect(() => makeTrace({ spans })).toThrow(RangeError);
  });

  it('rejects a span-level failure with no room for a child', () => {
    expect(() => makeTrace({ spans: 1, failing: 'tool_failure' })).toThrow(/at least 2 spans/);
  });

  it('uses the given ids and context', () => {
    const trace = makeTrace({
      trace_id: 'trace-x',
      project_id: 'project-x',
      context: { task_type: 'qa' },
    });
    expect(trace.records.every((r) => r.project_id === 'project-x')).toBe(true);
    expect(trace.events[0]).toMatchObject({ trace_id: 'trace-x', context: { task_type: 'qa' } });
  });
});

describe('createIdGenerator', () => {
  it('yields distinct, valid ids', () => {
    const id = createIdGenerator(1);
    const ids = Array.from({ length: 1000 }, () => id('span'));
    expect(new Set(ids).size).toBe(1000);
    expect(ids[0]).toMatch(/^span-[0-9a-f]{16}$/);
  });
});

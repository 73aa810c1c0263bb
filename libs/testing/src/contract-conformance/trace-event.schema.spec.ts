import { makeFeedbackEvent, makeTraceEndEvent, makeTraceStartEvent } from '../index';
import { Limits } from '@agentmon/contracts';
import { parseWith } from '@agentmon/contracts';
import {
  type FeedbackEventType,
  TRACE_EVENT_TYPES,
  TraceEventIngestSchema,
  TraceEventSchema,
} from '@agentmon/contracts';

const FEEDBACK_TYPES = TRACE_EVENT_TYPES.filter(
  (t): t is FeedbackEventType => t !== 'trace_start' && t !== 'trace_end',
);

describe('TraceEventSchema', () => {
  it.each(FEEDBACK_TYPES)('accepts a %s event', (type) => {
    const result = parseWith(TraceEventSchema, makeFeedbackEvent(type));
    expect(result).toEqual({ ok: true, value: expect.objectContaining({ type }) });
  });

  it.each([
    ['trace_start', makeTraceStartEvent()],
    ['trace_end', makeTraceEndEvent()],
  ])('accepts a %s event', (_type, event) => {
    expect(parseWith(TraceEventSchema, event).ok).toBe(true);
  });

  it.each<[string, unknown, string, RegExp]>([
    ['unknown type', { ...makeFeedbackEvent('accepted'), type: 'liked' }, 'type', /must be one of/],
    [
      'bad rating',
      makeFeedbackEvent('rating', { rating: 'meh' as never }),
      'rating',
      /Invalid option/,
    ],
    [
      'missing event_id',
      { ...makeFeedbackEvent('accepted'), event_id: undefined },
      'event_id',
      /expected string/,
    ],
    [
      'missing trace_id',
      { ...makeFeedbackEvent('accepted'), trace_id: undefined },
      'trace_id',
      /expected string/,
    ],
    [
      'unknown extra field',
      { ...makeFeedbackEvent('follow_up'), score: 3 },
      'score',
      /unknown field/,
    ],
    [
      'field of another type',
      { ...makeFeedbackEvent('accepted'), rating: 'positive' },
      'rating',
      /unknown field/,
    ],
    [
      'completed missing on trace_end',
      makeTraceEndEvent({ completed: undefined }),
      'completed',
      /expected boolean/,
    ],
    [
      'ended_at missing on topic',
      makeTraceEndEvent({ ended_at: undefined }),
      'ended_at',
      /expected number/,
    ],
    [
      'oversize final_output on topic',
      makeTraceEndEvent({ final_output: 'x'.repeat(Limits.finalOutputMaxChars + 1) }),
      'final_output',
      /at most 8192/,
    ],
    [
      'unknown context field',
      makeTraceStartEvent({ context: { tenant: 'x' } as never }),
      'context.tenant',
      /unknown field/,
    ],
    [
      'negative query_length',
      makeTraceStartEvent({ context: { query_length: -3 } }),
      'context.query_length',
      /0/,
    ],
    [
      'oversize comment',
      makeFeedbackEvent('rating', { comment: 'x'.repeat(Limits.feedbackTextMaxChars + 1) }),
      'comment',
      /at most 4096/,
    ],
  ])('rejects %s', (_label, event, path, message) => {
    const result = parseWith(TraceEventSchema, event);
    expect(!result.ok && result.issues).toContainEqual({
      path,
      message: expect.stringMatching(message),
    });
  });
});

describe('TraceEventIngestSchema', () => {
  const T0 = Date.UTC(2025, 0, 1);

  it('defaults ended_at to the event timestamp and normalises ISO times', () => {
    const value = TraceEventIngestSchema.parse({
      type: 'trace_end',
      event_id: 'e-1',
      trace_id: 't-1',
      timestamp: '2025-01-01T00:00:00Z',
      completed: true,
    });
    expect(value).toMatchObject({ timestamp: T0, ended_at: T0 });
    expect(TraceEventSchema.safeParse(value).success).toBe(true);
  });

  it('truncates an oversize final_output and flags it', () => {
    const value = TraceEventIngestSchema.parse({
      ...makeTraceEndEvent(),
      final_output: 'y'.repeat(Limits.finalOutputMaxChars * 2),
    });
    expect(value).toMatchObject({ final_output_truncated: true });
    expect(value.type === 'trace_end' && value.final_output).toHaveLength(
      Limits.finalOutputMaxChars,
    );
  });

  it('leaves feedback events unchanged apart from time normalisation', () => {
    const event = makeFeedbackEvent('rating', { rating: 'negative' });
    expect(TraceEventIngestSchema.parse(event)).toEqual(event);
  });
});

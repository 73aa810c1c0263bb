import type { FeedbackEventType, TraceEventOf } from '@agentmon/contracts';
import { createIdGenerator, FIXED_TIME_MS, type FactoryOptions } from './id-generator';

export function makeTraceStartEvent(
  partial: Partial<TraceEventOf<'trace_start'>> = {},
  options: FactoryOptions = {},
): TraceEventOf<'trace_start'> {
  const id = createIdGenerator(options.seed);
  return {
    type: 'trace_start',
    event_id: id('event'),
    trace_id: id('trace'),
    timestamp: FIXED_TIME_MS,
    context: {
      session_id: 'session-1',
      user_id: 'user-1',
      task_type: 'code_review',
      user_segment: 'enterprise',
      platform: 'web',
      model_version: 'claude-sonnet-4',
      agent_version: '1.4.0',
      query_length: 120,
      session_number: 3,
    },
    ...partial,
  };
}

export function makeTraceEndEvent(
  partial: Partial<TraceEventOf<'trace_end'>> = {},
  options: FactoryOptions = {},
): TraceEventOf<'trace_end'> {
  const id = createIdGenerator(options.seed);
  const timestamp = partial.timestamp ?? FIXED_TIME_MS + 5_000;
  return {
    type: 'trace_end',
    event_id: id('event'),
    trace_id: id('trace'),
    timestamp,
    ended_at: timestamp,
    completed: true,
    final_output: 'Done: the function now handles empty input.',
    ...partial,
  };
}

// The type-specific fields each feedback event needs to be valid (most need none).
const FEEDBACK_DEFAULTS: {
  [K in FeedbackEventType]: Omit<TraceEventOf<K>, 'event_id' | 'trace_id' | 'timestamp'>;
} = {
  rating: { type: 'rating', rating: 'positive' },
  user_correction: { type: 'user_correction', correction: 'Use the v2 endpoint instead.' },
  escalation: { type: 'escalation', reason: 'user asked for a human' },
  abandonment: { type: 'abandonment' },
  safety_flag: { type: 'safety_flag', category: 'jailbreak' },
  output_copied: { type: 'output_copied' },
  follow_up: { type: 'follow_up' },
  hallucination_caught: { type: 'hallucination_caught', detail: 'cited a non-existent API' },
  accepted: { type: 'accepted' },
};

/** A valid feedback event of `type`; override any field. */
export function makeFeedbackEvent<K extends FeedbackEventType>(
  type: K,
  partial: Partial<TraceEventOf<K>> = {},
  options: FactoryOptions = {},
): TraceEventOf<K> {
  const id = createIdGenerator(options.seed);
  return {
    ...FEEDBACK_DEFAULTS[type],
    event_id: id('event'),
    trace_id: id('trace'),
    timestamp: FIXED_TIME_MS + 60_000,
    ...partial,
  } as TraceEventOf<K>;
}

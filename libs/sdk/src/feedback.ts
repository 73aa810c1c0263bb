import {
  Limits,
  truncateString,
  type FeedbackEvent,
  type TraceEventIngest,
} from '@agentmon/contracts';
import { toEpochMs, type TimeInput } from './time-input';
import { newId } from './wire-id';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * A user signal about a finished trace, e.g. `{ type: 'rating', rating: 'negative' }` or
 * `{ type: 'user_correction', correction: '...' }`. Derived from the contract so a new event type
 * there shows up here without a second list to keep in step.
 */
export type Feedback = DistributiveOmit<FeedbackEvent, 'event_id' | 'trace_id' | 'timestamp'> & {
  /** When the user gave the signal; defaults to now. */
  timestamp?: TimeInput;
};

const TEXT_FIELDS = ['comment', 'correction', 'reason', 'detail'] as const;

export function toFeedbackEvent(traceId: string, feedback: Feedback): TraceEventIngest {
  const { timestamp, ...fields } = feedback;
  const event: Record<string, unknown> = {
    ...fields,
    event_id: newId(),
    trace_id: traceId,
    timestamp: toEpochMs(timestamp),
  };
  // Free text is the one part users type; cut it instead of losing the signal.
  for (const key of TEXT_FIELDS) {
    if (typeof event[key] === 'string') {
      event[key] = truncateString(event[key] as string, Limits.feedbackTextMaxChars);
    }
  }
  if (typeof event['category'] === 'string') {
    event['category'] = truncateString(event['category'] as string, Limits.sliceValueMaxChars);
  }
  return event as TraceEventIngest;
}

import { z } from 'zod';
import { boundedString } from './bounded-string';
import { IdSchema } from './id.schema';
import { Limits } from './limits';
import { TimestampInputSchema, TimestampMsSchema } from './timestamp.schema';
import { TraceContextSchema } from './trace-context.schema';
import { truncateString } from './truncate-span-attributes';
import { wellFormedString } from './well-formed';

export const TRACE_EVENT_TYPES = [
  'trace_start',
  'trace_end',
  'rating',
  'user_correction',
  'escalation',
  'abandonment',
  'safety_flag',
  'output_copied',
  'follow_up',
  'hallucination_caught',
  'accepted',
] as const;
export const TraceEventTypeSchema = z.enum(TRACE_EVENT_TYPES);
export type TraceEventType = z.infer<typeof TraceEventTypeSchema>;

export const RatingSchema = z.enum(['positive', 'negative', 'none']);
export type Rating = z.infer<typeof RatingSchema>;

const FeedbackTextSchema = boundedString(Limits.feedbackTextMaxChars);

function traceEventSchema<
  T extends z.ZodType<number, unknown>,
  E extends z.ZodType<number | undefined, unknown>,
  F extends z.ZodType<string, string>,
>(timestamp: T, endedAt: E, finalOutput: F) {
  const base = { event_id: IdSchema, trace_id: IdSchema, timestamp };
  return z.discriminatedUnion(
    'type',
    [
      z.strictObject({ ...base, type: z.literal('trace_start'), context: TraceContextSchema }),
      z.strictObject({
        ...base,
        type: z.literal('trace_end'),
        /** The agent considers the task done (not the same as the user being satisfied). */
        completed: z.boolean(),
        final_output: finalOutput.nullable().optional(),
        final_output_truncated: z.boolean().optional(),
        /** When the trace ended; `timestamp` is when the event was emitted. */
        ended_at: endedAt,
        /** The session ran over its time limit (counted as a timeout error). */
        timed_out: z.boolean().optional(),
        context: TraceContextSchema.optional(),
      }),
      z.strictObject({
        ...base,
        type: z.literal('rating'),
        rating: RatingSchema,
        comment: FeedbackTextSchema.optional(),
      }),
      z.strictObject({
        ...base,
        type: z.literal('user_correction'),
        correction: FeedbackTextSchema.optional(),
      }),
      z.strictObject({
        ...base,
        type: z.literal('escalation'),
        reason: FeedbackTextSchema.optional(),
      }),
      z.strictObject({ ...base, type: z.literal('abandonment') }),
      z.strictObject({
        ...base,
        type: z.literal('safety_flag'),
        category: boundedString(Limits.sliceValueMaxChars).optional(),
        reason: FeedbackTextSchema.optional(),
      }),
      z.strictObject({ ...base, type: z.literal('output_copied') }),
      z.strictObject({ ...base, type: z.literal('follow_up') }),
      z.strictObject({
        ...base,
        type: z.literal('hallucination_caught'),
        detail: FeedbackTextSchema.optional(),
      }),
      z.strictObject({ ...base, type: z.literal('accepted') }),
    ],
    { error: `type must be one of ${TRACE_EVENT_TYPES.join(', ')}` },
  );
}

/**
 * A trace-outcome or feedback event as it travels on the spans topic (keyed by trace_id, so it
 * lands on the same sessionizer as the trace's spans). Canonical: epoch-ms times, trace_end
 * always has ended_at, final_output at most Limits.finalOutputMaxChars.
 */
export const TraceEventSchema = traceEventSchema(
  TimestampMsSchema,
  TimestampMsSchema,
  boundedString(Limits.finalOutputMaxChars),
);
export type TraceEvent = z.infer<typeof TraceEventSchema>;
export type TraceEventOf<K extends TraceEventType> = Extract<TraceEvent, { type: K }>;
/** Every event type except trace_start / trace_end: the user-feedback signals. */
export type FeedbackEventType = Exclude<TraceEventType, 'trace_start' | 'trace_end'>;
export type FeedbackEvent = TraceEventOf<FeedbackEventType>;

type TraceEventWithOptionalEnd =
  | Exclude<TraceEvent, { type: 'trace_end' }>
  | (Omit<TraceEventOf<'trace_end'>, 'ended_at'> & { ended_at?: number | undefined });

/**
 * The ingest transform of an event: trace_end.ended_at defaults to the event timestamp and an
 * oversize final_output is truncated (flagged). Returns `event` itself when there is nothing to
 * change (the gateway's fast path relies on that to know the item is already canonical).
 */
export function completeTraceEvent(event: TraceEventWithOptionalEnd): TraceEvent {
  if (event.type !== 'trace_end') return event;
  const output = event.final_output;
  const truncated = typeof output === 'string' && output.length > Limits.finalOutputMaxChars;
  if (!truncated && event.ended_at !== undefined) return event as TraceEvent;
  return {
    ...event,
    ended_at: event.ended_at ?? event.timestamp,
    ...(truncated && {
      final_output: truncateString(output, Limits.finalOutputMaxChars),
      final_output_truncated: true,
    }),
  };
}

/**
 * An event as an agent sends it: ISO or epoch-ms times, trace_end.ended_at defaults to the event
 * timestamp, and an oversize final_output is truncated (flagged) rather than rejected.
 * Parsing yields the canonical `TraceEvent`.
 */
export const TraceEventIngestSchema = traceEventSchema(
  TimestampInputSchema,
  TimestampInputSchema.optional(),
  wellFormedString(),
).transform(completeTraceEvent);
export type TraceEventIngest = z.input<typeof TraceEventIngestSchema>;

import { z } from 'zod';
import { IdSchema } from './id.schema';
import { SpanSchema } from './span.schema';
import { TimestampMsSchema } from './timestamp.schema';
import { TraceEventSchema } from './trace-event.schema';

const envelopeFields = {
  /** Set by the gateway from the API key; never taken from the agent's payload. */
  project_id: IdSchema,
  /** When the gateway (or direct producer) accepted the record. */
  received_at: TimestampMsSchema,
};

export const SpanEnvelopeSchema = z.strictObject({
  kind: z.literal('span'),
  ...envelopeFields,
  span: SpanSchema,
});
export type SpanEnvelope = z.infer<typeof SpanEnvelopeSchema>;

export const TraceEventEnvelopeSchema = z.strictObject({
  kind: z.literal('event'),
  ...envelopeFields,
  event: TraceEventSchema,
});
export type TraceEventEnvelope = z.infer<typeof TraceEventEnvelopeSchema>;

/** One record on the spans topic: a span or a trace event, keyed by its trace_id. */
export const SpansTopicRecordSchema = z.discriminatedUnion(
  'kind',
  [SpanEnvelopeSchema, TraceEventEnvelopeSchema],
  { error: 'kind must be "span" or "event"' },
);
export type SpansTopicRecord = z.infer<typeof SpansTopicRecordSchema>;

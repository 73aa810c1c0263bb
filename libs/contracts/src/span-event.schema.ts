import { z } from 'zod';
import { AttributeMapSchema } from './attribute-map.schema';
import { nonEmptyBoundedString } from './bounded-string';
import { Limits } from './limits';
import { TimestampInputSchema, TimestampMsSchema } from './timestamp.schema';

function spanEventSchema<T extends z.ZodType<number, unknown>>(timestamp: T) {
  return z.strictObject({
    name: nonEmptyBoundedString(Limits.nameMaxChars),
    timestamp,
    attributes: AttributeMapSchema.optional(),
  });
}

/** A timestamped point inside a span (for example a retry or a streamed chunk). */
export const SpanEventSchema = spanEventSchema(TimestampMsSchema);
export type SpanEvent = z.infer<typeof SpanEventSchema>;

export const SpanEventIngestSchema = spanEventSchema(TimestampInputSchema);
export type SpanEventIngest = z.input<typeof SpanEventIngestSchema>;

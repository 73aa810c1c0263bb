import { z } from 'zod';
import { boundedString, nonEmptyBoundedString } from './bounded-string';
import { SpanErrorTypeSchema } from './error-type.schema';
import { IdSchema } from './id.schema';
import { Limits } from './limits';
import { SpanAttributesIngestSchema, SpanAttributesSchema } from './span-attributes.schema';
import { SpanEventIngestSchema, SpanEventSchema } from './span-event.schema';
import { SpanOperationSchema } from './span-operation.schema';
import { TimestampInputSchema, TimestampMsSchema } from './timestamp.schema';

export const SpanStatusSchema = z.enum(['OK', 'ERROR'], { error: 'must be "OK" or "ERROR"' });
export type SpanStatus = z.infer<typeof SpanStatusSchema>;

const commonSpanFields = {
  span_id: IdSchema,
  trace_id: IdSchema,
  operation: SpanOperationSchema,
  name: nonEmptyBoundedString(Limits.nameMaxChars).optional(),
  status: SpanStatusSchema,
  error_message: boundedString(Limits.errorMessageMaxChars).optional(),
  error_type: SpanErrorTypeSchema.optional(),
};

interface SpanInvariantFields {
  span_id: string;
  parent_span_id: string | null;
  start_time: number;
  end_time: number;
  status: SpanStatus;
  error_type?: unknown;
}

// Cross-field rules, written once for the ingest, topic and stored shapes.
function checkSpanInvariants(span: SpanInvariantFields, ctx: z.RefinementCtx): void {
  if (span.end_time < span.start_time) {
    ctx.addIssue({ code: 'custom', path: ['end_time'], message: 'must not be before start_time' });
  }
  if (span.parent_span_id === span.span_id) {
    ctx.addIssue({
      code: 'custom',
      path: ['parent_span_id'],
      message: 'must differ from span_id',
    });
  }
  if (span.status === 'OK' && span.error_type !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['error_type'],
      message: 'is only allowed when status is "ERROR"',
    });
  }
}

const spanObjectSchema = z.strictObject({
  ...commonSpanFields,
  /** null for the root span. */
  parent_span_id: IdSchema.nullable(),
  start_time: TimestampMsSchema,
  end_time: TimestampMsSchema,
  attributes: SpanAttributesSchema,
  events: z.array(SpanEventSchema).max(Limits.spanEventsMax),
});

/**
 * A span as it travels on the spans topic: canonical and strict (times in epoch ms, root has
 * parent_span_id null, attributes and events always present, tool_input already truncated).
 * project_id is not inside the span: the envelope carries it.
 */
export const SpanSchema = spanObjectSchema.superRefine(checkSpanInvariants);
export type Span = z.infer<typeof SpanSchema>;

/** A span with its tenant, as stored for sampled full traces (ClickHouse rows, exports). */
export const StoredSpanSchema = spanObjectSchema
  .extend({ project_id: IdSchema })
  .superRefine(checkSpanInvariants);
export type StoredSpan = z.infer<typeof StoredSpanSchema>;

/**
 * A span as an agent sends it: times as epoch ms or ISO-8601, parent_span_id may be absent or
 * null for the root, attributes and events optional, tool_input of any length (truncated here).
 * project_id is rejected as an unknown field: the server sets it from the API key.
 * Parsing yields the canonical `Span`.
 */
export const SpanIngestSchema = z
  .strictObject({
    ...commonSpanFields,
    parent_span_id: IdSchema.nullish().transform((id) => id ?? null),
    start_time: TimestampInputSchema,
    end_time: TimestampInputSchema,
    attributes: SpanAttributesIngestSchema.optional().transform((a) => a ?? {}),
    events: z
      .array(SpanEventIngestSchema)
      .max(Limits.spanEventsMax)
      .optional()
      .transform((e) => e ?? []),
  })
  .superRefine(checkSpanInvariants);
export type SpanIngest = z.input<typeof SpanIngestSchema>;

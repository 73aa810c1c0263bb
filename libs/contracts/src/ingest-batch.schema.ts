import { z } from 'zod';
import { Limits } from './limits';
import { SpanIngestSchema } from './span.schema';
import { TraceEventIngestSchema } from './trace-event.schema';

/**
 * The gateway's HTTP body: spans and/or events for any number of traces. Validated as a whole so
 * one 400 can list every bad item as `spans[3].attributes.input_tokens`.
 */
export const IngestBatchSchema = z
  .strictObject({
    spans: z.array(SpanIngestSchema).max(Limits.ingestBatchMaxItems).optional().default([]),
    events: z.array(TraceEventIngestSchema).max(Limits.ingestBatchMaxItems).optional().default([]),
  })
  .superRefine((batch, ctx) => {
    if (batch.spans.length + batch.events.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'must contain at least one span or event' });
    }
  });
export type IngestBatchInput = z.input<typeof IngestBatchSchema>;
export type IngestBatch = z.output<typeof IngestBatchSchema>;

import { z } from 'zod';
import { compileParser } from './compiled-validator';
import { Limits } from './limits';
import { parseWith, type ParseResult } from './parse-result';
import { SpanIngestSchema, SpanSchema, type Span } from './span.schema';
import {
  completeTraceEvent,
  TraceEventIngestSchema,
  TraceEventSchema,
  type TraceEvent,
} from './trace-event.schema';
import { truncateSpanAttributes } from './truncate-span-attributes';

// The batch's own rules, written once for the full schema and for the fast path's shell.
function ingestBatchSchema<S extends z.ZodType, E extends z.ZodType>(span: S, event: E) {
  return z
    .strictObject({
      spans: z.array(span).max(Limits.ingestBatchMaxItems).optional().default([]),
      events: z.array(event).max(Limits.ingestBatchMaxItems).optional().default([]),
    })
    .superRefine((batch, ctx) => {
      if (batch.spans.length + batch.events.length === 0) {
        ctx.addIssue({ code: 'custom', message: 'must contain at least one span or event' });
      }
    });
}

/**
 * The gateway's HTTP body: spans and/or events for any number of traces. Validated as a whole so
 * one 400 can list every bad item as `spans[3].attributes.input_tokens`.
 */
export const IngestBatchSchema = ingestBatchSchema(SpanIngestSchema, TraceEventIngestSchema);
export type IngestBatchInput = z.input<typeof IngestBatchSchema>;
export type IngestBatch = z.output<typeof IngestBatchSchema>;

/** The same batch with its items left unchecked: the first step of parseIngestBatch. */
const IngestBatchShellSchema = ingestBatchSchema(z.unknown(), z.unknown());

type ItemCheck = (item: unknown) => boolean;
let canonicalItems: { span: ItemCheck; event: ItemCheck } | null = null;

/**
 * Items already in canonical form (what the SDK sends: epoch-ms times, parent_span_id null for
 * the root, attributes and events present, nothing to truncate) are exactly what the ingest
 * schemas output for them: the topic schemas' compiled checks, plus the ingest schemas' own
 * transforms returning the item unchanged (the topic schemas measure length in code points, the
 * truncation in UTF-16 units, so a text can pass the first and still be cut by the second).
 */
function itemChecks(): { span: ItemCheck; event: ItemCheck } {
  if (canonicalItems === null) {
    const span = compileParser(SpanSchema);
    const event = compileParser(TraceEventSchema);
    canonicalItems = {
      span: (item) =>
        span.isCanonical(item) &&
        truncateSpanAttributes((item as Span).attributes) === (item as Span).attributes,
      event: (item) => event.isCanonical(item) && completeTraceEvent(item as TraceEvent) === item,
    };
  }
  return canonicalItems;
}

/** The canonical-item checks parseIngestBatch uses (exported for the equivalence tests). */
export function ingestItemChecks(): { span: ItemCheck; event: ItemCheck } {
  return itemChecks();
}

/** The ingest parse of each item, or null when any is invalid. */
function parseItems(
  items: readonly unknown[],
  canonical: ItemCheck,
  ingest: z.ZodType,
): unknown[] | null {
  const out = new Array<unknown>(items.length);
  for (let i = 0; i < items.length; i += 1) {
    const item = items[i];
    if (canonical(item)) {
      out[i] = item;
      continue;
    }
    const parsed = ingest.safeParse(item);
    if (!parsed.success) return null;
    out[i] = parsed.data;
  }
  return out;
}

/**
 * IngestBatchSchema's parse, fast: the batch shell by zod, each canonical item by its compiled
 * check, any other item by its ingest schema (ISO times, defaults, truncation, repairs). Output
 * equals IngestBatchSchema's for valid input; any invalid item makes the whole batch go through
 * IngestBatchSchema, so the issues (paths, messages, order) are exactly zod's. JSON data only.
 */
export function parseIngestBatch(body: unknown): ParseResult<IngestBatch> {
  const shell = IngestBatchShellSchema.safeParse(body);
  if (shell.success) {
    const checks = itemChecks();
    const spans = parseItems(shell.data.spans, checks.span, SpanIngestSchema);
    const events = spans && parseItems(shell.data.events, checks.event, TraceEventIngestSchema);
    if (spans !== null && events !== null) {
      return { ok: true, value: { spans, events } as IngestBatch };
    }
  }
  return parseWith(IngestBatchSchema, body);
}

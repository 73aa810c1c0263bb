import { z } from 'zod';
import { compileParser, type CompiledParser } from './compiled-validator';
import { Limits } from './limits';
import { parseWith, type ParseResult } from './parse-result';
import { SpanIngestSchema, SpanSchema } from './span.schema';
import { TraceEventIngestSchema, TraceEventSchema } from './trace-event.schema';

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

let canonicalItems: { span: CompiledParser<unknown>; event: CompiledParser<unknown> } | null = null;

/**
 * Items already in canonical form (what the SDK sends: epoch-ms times, parent_span_id null for
 * the root, attributes and events present, nothing to truncate) are exactly what the ingest
 * schemas output for them, so the topic schemas' compiled checks stand in for zod there.
 */
function itemParsers(): { span: CompiledParser<unknown>; event: CompiledParser<unknown> } {
  canonicalItems ??= { span: compileParser(SpanSchema), event: compileParser(TraceEventSchema) };
  return canonicalItems;
}

function parseItems(
  items: readonly unknown[],
  canonical: CompiledParser<unknown>,
  ingest: z.ZodType,
): unknown[] | null {
  const out = new Array<unknown>(items.length);
  for (let i = 0; i < items.length; i += 1) {
    const item = items[i];
    if (canonical.isCanonical(item)) {
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
    const parsers = itemParsers();
    const spans = parseItems(shell.data.spans, parsers.span, SpanIngestSchema);
    const events = spans && parseItems(shell.data.events, parsers.event, TraceEventIngestSchema);
    if (spans !== null && events !== null) {
      return { ok: true, value: { spans, events } as IngestBatch };
    }
  }
  return parseWith(IngestBatchSchema, body);
}

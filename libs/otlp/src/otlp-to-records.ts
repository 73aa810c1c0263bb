import {
  formatZodIssues,
  SpanEnvelopeSchema,
  SpansTopicRecord,
  TraceEventEnvelopeSchema,
} from '@agentmon/contracts';
import { mapOtlpSpan, rootSpanEvents } from './genai-mapping';
import { OtlpSpanView, OtlpUnreadableSpan, readOtlpRequest } from './otlp-model';

export interface OtlpConversion {
  records: SpansTopicRecord[];
  spans: number;
  events: number;
  /** Spans refused (unreadable, or refused by the span contract), for partial_success. */
  rejectedSpans: number;
  /** Why, one line per refused span or event (capped), each naming the span and field. */
  errors: string[];
}

const MAX_ERROR_LINES = 20;

function isReadable(span: OtlpSpanView | OtlpUnreadableSpan): span is OtlpSpanView {
  return !('error' in span);
}

/**
 * An ExportTraceServiceRequest (protobufjs message or parsed OTLP/JSON) → spans-topic records
 * for one project. Each span is checked against the same contract as /v1/spans; a refused span
 * is counted and explained, the others go through. Root spans add the trace events their
 * agentmon.* attributes state. Pure: tenant and clock are passed in.
 * Throws OtlpDecodeError when the request itself is not an ExportTraceServiceRequest.
 */
export function otlpToRecords(
  request: unknown,
  projectId: string,
  receivedAt: number,
): OtlpConversion {
  const views = readOtlpRequest(request);
  const out: OtlpConversion = { records: [], spans: 0, events: 0, rejectedSpans: 0, errors: [] };
  const explain = (line: string) => {
    if (out.errors.length < MAX_ERROR_LINES) out.errors.push(line);
  };
  // A session stated on another span of the trace stands in for one the root lacks: GenAI
  // instrumentations put gen_ai.conversation.id on the model call, OpenInference's context
  // (setSession) puts session.id on every span its tracers start, not on the agent's own root.
  const conversations = new Map<string, string>();
  for (const view of views) {
    if (!isReadable(view) || conversations.has(view.traceId)) continue;
    const id = view.attributes['gen_ai.conversation.id'] ?? view.attributes['session.id'];
    if (typeof id === 'string') conversations.set(view.traceId, id);
  }
  for (const view of views) {
    if (!isReadable(view)) {
      out.rejectedSpans += 1;
      explain(view.error);
      continue;
    }
    const span = SpanEnvelopeSchema.safeParse({
      kind: 'span',
      project_id: projectId,
      received_at: receivedAt,
      span: mapOtlpSpan(view),
    });
    if (!span.success) {
      out.rejectedSpans += 1;
      explain(
        `span ${view.spanId}: ${formatZodIssues(span.error)
          .map((i) => `${i.path.replace(/^span\./, '')}: ${i.message}`)
          .join('; ')}`,
      );
      continue;
    }
    out.records.push(span.data);
    out.spans += 1;
    if (view.parentSpanId !== '') continue;
    for (const event of rootSpanEvents(view, conversations.get(view.traceId))) {
      const parsed = TraceEventEnvelopeSchema.safeParse({
        kind: 'event',
        project_id: projectId,
        received_at: receivedAt,
        event,
      });
      if (parsed.success) {
        out.records.push(parsed.data);
        out.events += 1;
      } else {
        explain(
          `${event.type} of root span ${view.spanId} not recorded: ${formatZodIssues(parsed.error)
            .map((i) => `${i.path.replace(/^event\./, '')}: ${i.message}`)
            .join('; ')}`,
        );
      }
    }
  }
  return out;
}

/** The partial_success message: how many and the first reasons. */
export function partialSuccessMessage(conversion: OtlpConversion): string {
  if (conversion.errors.length === 0) return '';
  const head = conversion.rejectedSpans > 0 ? `${conversion.rejectedSpans} span(s) rejected: ` : '';
  return `${head}${conversion.errors.join(' | ')}`.slice(0, 4096);
}

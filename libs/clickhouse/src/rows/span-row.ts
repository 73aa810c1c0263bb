import type { Span } from '@agentmon/contracts';

/** A span as a row of the `spans` table (libs/clickhouse/migrations/0002_spans.sql). */
export function toSpanRow(projectId: string, span: Span) {
  const attributes = span.attributes;
  return {
    project_id: projectId,
    trace_id: span.trace_id,
    span_id: span.span_id,
    parent_span_id: span.parent_span_id ?? '',
    operation: span.operation,
    name: span.name ?? '',
    start_time_ms: span.start_time,
    end_time_ms: span.end_time,
    duration_ms: span.end_time - span.start_time,
    status: span.status,
    error_message: span.error_message ?? '',
    error_type: span.error_type ?? '',
    model: attributes.model ?? '',
    input_tokens: attributes.input_tokens ?? 0,
    output_tokens: attributes.output_tokens ?? 0,
    cache_read_tokens: attributes.cache_read_tokens ?? 0,
    cache_write_tokens: attributes.cache_write_tokens ?? 0,
    tool_name: attributes.tool_name ?? '',
    attributes_json: JSON.stringify(attributes),
    events_json: JSON.stringify(span.events),
  };
}

export type SpanRow = ReturnType<typeof toSpanRow>;

import type { Span, SpanEnvelope, TraceEvent, TraceEventEnvelope } from '@agentmon/contracts';
import { createIdGenerator, FIXED_TIME_MS, type FactoryOptions } from './id-generator';

/** A valid root-less llm_call span; override any field. */
export function makeSpan(partial: Partial<Span> = {}, options: FactoryOptions = {}): Span {
  const id = createIdGenerator(options.seed);
  const start = partial.start_time ?? FIXED_TIME_MS;
  return {
    span_id: id('span'),
    trace_id: id('trace'),
    parent_span_id: null,
    operation: 'llm_call',
    name: 'generate',
    start_time: start,
    end_time: start + 250,
    status: 'OK',
    attributes: {
      model: 'claude-sonnet-4',
      input_tokens: 1200,
      output_tokens: 300,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
      stop_reason: 'end_turn',
    },
    events: [],
    ...partial,
  };
}

type EnvelopeFields = { project_id?: string; received_at?: number };

/** A spans-topic record carrying `makeSpan(span)`. */
export function makeSpanEnvelope(
  span: Partial<Span> = {},
  envelope: EnvelopeFields = {},
  options: FactoryOptions = {},
): SpanEnvelope {
  const made = makeSpan(span, options);
  return {
    kind: 'span',
    project_id: envelope.project_id ?? 'project-1',
    received_at: envelope.received_at ?? made.end_time + 5,
    span: made,
  };
}

/** A spans-topic record carrying a trace event. */
export function makeEventEnvelope(
  event: TraceEvent,
  envelope: EnvelopeFields = {},
): TraceEventEnvelope {
  return {
    kind: 'event',
    project_id: envelope.project_id ?? 'project-1',
    received_at: envelope.received_at ?? event.timestamp + 5,
    event,
  };
}

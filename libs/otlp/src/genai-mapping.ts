import {
  Limits,
  Span,
  SpanErrorType,
  SpanEvent,
  SpanOperation,
  TraceContext,
  TraceEvent,
  truncateString,
} from '@agentmon/contracts';
import type { OtlpAttributes, OtlpSpanView, OtlpValue } from './otlp-model';

/** gen_ai.operation.name → AgentMon operation (OTel GenAI semantic conventions). */
export const GENAI_OPERATIONS: Readonly<Record<string, SpanOperation>> = {
  chat: 'llm_call',
  text_completion: 'llm_call',
  generate_content: 'llm_call',
  execute_tool: 'tool_call',
  invoke_agent: 'agent_step',
  create_agent: 'agent_step',
  embeddings: 'embedding',
  retrieval: 'retrieval',
};

/** openinference.span.kind → AgentMon operation (OpenInference conventions). */
export const OPENINFERENCE_KINDS: Readonly<Record<string, SpanOperation>> = {
  LLM: 'llm_call',
  TOOL: 'tool_call',
  AGENT: 'agent_step',
  RETRIEVER: 'retrieval',
  RERANKER: 'retrieval',
  EMBEDDING: 'embedding',
  GUARDRAIL: 'guardrail',
  CHAIN: 'other',
  EVALUATOR: 'other',
  PROMPT: 'other',
};

/** Keys read by the mapping (not copied again as free attributes). */
const CONSUMED = new Set([
  'gen_ai.operation.name',
  'openinference.span.kind',
  'gen_ai.request.model',
  'gen_ai.response.model',
  'llm.model_name',
  'llm.request.model_name',
  'llm.response.model_name',
  'gen_ai.usage.input_tokens',
  'gen_ai.usage.output_tokens',
  'gen_ai.usage.cache_read.input_tokens',
  'gen_ai.usage.cache_creation.input_tokens',
  'gen_ai.usage.cache_write.input_tokens',
  'gen_ai.usage.reasoning.output_tokens',
  'llm.token_count.prompt',
  'llm.token_count.completion',
  'llm.token_count.total',
  'llm.token_count.prompt_details.cache_read',
  'llm.token_count.prompt_details.cache_write',
  'llm.token_count.completion_details.reasoning',
  'gen_ai.response.finish_reasons',
  'llm.finish_reason',
  'anthropic.message.stop_reason',
  'gen_ai.tool.name',
  'tool.name',
  'gen_ai.conversation.id',
  'session.id',
  'user.id',
  'enduser.id',
  'error.type',
]);

/**
 * Message content is never copied into free attributes: it is large, often personal, and the
 * attribute map is bounded (64 keys, 1,024 characters a value). Tool arguments are kept only as
 * the truncated tool_input.
 */
const DROPPED_PREFIXES = [
  'gen_ai.input.messages',
  'gen_ai.output.messages',
  'gen_ai.system_instructions',
  'gen_ai.prompt',
  'gen_ai.completion',
  'gen_ai.tool.call.arguments',
  'gen_ai.tool.call.result',
  'gen_ai.tool.definitions',
  'llm.input_messages',
  'llm.output_messages',
  'llm.invocation_parameters',
  'llm.prompt_template',
  'llm.tools',
  'llm.prompts',
  'llm.function_call',
  'input.',
  'output.',
  'agentmon.',
  'tool.parameters',
  'tool.description',
  'retrieval.documents',
  'reranker.query',
  'reranker.input_documents',
  'reranker.output_documents',
  'embedding.embeddings',
  'message.',
  'anthropic.tool_result.content',
];

const ATTRIBUTE_KEY = /^[A-Za-z0-9_.:/-]+$/;
const ID = /^[A-Za-z0-9._:-]+$/;

function str(value: OtlpValue | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.length > 0 ? value.map(String).join(',') : undefined;
  return String(value);
}

function count(value: OtlpValue | undefined): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

function bool(value: OtlpValue | undefined): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

function first<T>(...values: (T | undefined)[]): T | undefined {
  return values.find((v) => v !== undefined);
}

/** The operation of a span: GenAI name, then OpenInference kind, then what its attributes imply. */
export function operationOf(attributes: OtlpAttributes): SpanOperation {
  const genai = str(attributes['gen_ai.operation.name']);
  if (genai && GENAI_OPERATIONS[genai]) return GENAI_OPERATIONS[genai];
  const kind = str(attributes['openinference.span.kind'])?.toUpperCase();
  if (kind && OPENINFERENCE_KINDS[kind]) return OPENINFERENCE_KINDS[kind];
  if (attributes['gen_ai.tool.name'] !== undefined) return 'tool_call';
  if (
    attributes['gen_ai.request.model'] !== undefined ||
    attributes['llm.model_name'] !== undefined
  )
    return 'llm_call';
  return 'other';
}

/**
 * Token counts. Both conventions report input tokens INCLUDING cached ones; AgentMon's
 * input_tokens excludes them (Anthropic semantics, the price table prices them apart), so cache
 * reads and writes are subtracted once. Reasoning tokens are part of output_tokens already and
 * are kept only as their own attribute.
 */
export function tokensOf(a: OtlpAttributes): Partial<Span['attributes']> {
  const inputTotal = first(
    count(a['gen_ai.usage.input_tokens']),
    count(a['llm.token_count.prompt']),
  );
  const cacheRead = first(
    count(a['gen_ai.usage.cache_read.input_tokens']),
    count(a['llm.token_count.prompt_details.cache_read']),
  );
  const cacheWrite = first(
    count(a['gen_ai.usage.cache_creation.input_tokens']),
    // The Anthropic SDK's own spans spell it cache_write.
    count(a['gen_ai.usage.cache_write.input_tokens']),
    count(a['llm.token_count.prompt_details.cache_write']),
  );
  const output = first(
    count(a['gen_ai.usage.output_tokens']),
    count(a['llm.token_count.completion']),
  );
  const reasoning = first(
    count(a['gen_ai.usage.reasoning.output_tokens']),
    count(a['llm.token_count.completion_details.reasoning']),
  );
  const out: Partial<Span['attributes']> = {};
  if (inputTotal !== undefined)
    out.input_tokens = Math.max(0, inputTotal - (cacheRead ?? 0) - (cacheWrite ?? 0));
  if (output !== undefined) out.output_tokens = output;
  if (cacheRead !== undefined) out.cache_read_tokens = cacheRead;
  if (cacheWrite !== undefined) out.cache_write_tokens = cacheWrite;
  if (reasoning !== undefined) out.reasoning_output_tokens = reasoning;
  return out;
}

const REFUSALS = new Set(['refusal', 'content_filter']);

/** The first finish reason; a refusal or content filter anywhere in the list wins as "refusal". */
export function stopReasonOf(value: OtlpValue | undefined): string | undefined {
  const reasons = (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String);
  if (reasons.length === 0) return undefined;
  const reason = reasons.some((r) => REFUSALS.has(r)) ? 'refusal' : reasons[0];
  return truncateString(reason, Limits.stopReasonMaxChars);
}

/**
 * The error type from error.type or exception.type: an HTTP status, a provider's error type
 * (Anthropic's `rate_limit_error`, `timeout_error`, `invalid_request_error`) or an SDK's error
 * class (`RateLimitError`, `APIConnectionTimeoutError`, `BadRequestError`).
 */
export function errorTypeOf(
  operation: SpanOperation,
  errorType: string | undefined,
): SpanErrorType {
  const t = (errorType ?? '').toLowerCase();
  if (t.includes('timeout') || t.includes('deadline') || t === '408' || t === '504')
    return 'timeout';
  if (t === '429' || t.includes('rate_limit') || t.includes('ratelimit')) return 'rate_limited';
  if (
    t === '400' ||
    t === '422' ||
    t.includes('invalid_request') ||
    t.includes('badrequest') ||
    t.includes('unprocessable')
  )
    return 'invalid_input';
  if (operation === 'tool_call') return 'tool_failure';
  return 'other';
}

function freeAttributes(
  a: OtlpAttributes,
  room: number,
): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  let used = 0;
  for (const [key, value] of Object.entries(a)) {
    if (used >= room) break;
    if (CONSUMED.has(key) || DROPPED_PREFIXES.some((p) => key.startsWith(p))) continue;
    if (key.length > Limits.attributeKeyMaxChars || !ATTRIBUTE_KEY.test(key)) continue;
    let v: string | number | boolean | undefined;
    if (Array.isArray(value)) v = str(value);
    else if (typeof value === 'number') v = Number.isFinite(value) ? value : undefined;
    else v = value;
    if (v === undefined) continue;
    out[key] = typeof v === 'string' ? truncateString(v, Limits.attributeStringMaxChars) : v;
    used += 1;
  }
  return out;
}

function toolInputOf(view: OtlpSpanView, operation: SpanOperation): string | undefined {
  const a = view.attributes;
  const raw = first(
    str(a['gen_ai.tool.call.arguments']),
    operation === 'tool_call' && str(a['openinference.span.kind'])
      ? str(a['input.value'])
      : undefined,
  );
  return raw;
}

function toolOutputOf(view: OtlpSpanView, operation: SpanOperation): string | undefined {
  const a = view.attributes;
  return first(
    str(a['gen_ai.tool.call.result']),
    operation === 'tool_call' && str(a['openinference.span.kind'])
      ? str(a['output.value'])
      : undefined,
  );
}

/**
 * One OTLP span as an AgentMon span (canonical topic shape, not yet validated: the caller runs
 * the contract schema so a bad span is refused with the field named).
 */
export function mapOtlpSpan(view: OtlpSpanView): Span {
  const a = view.attributes;
  const operation = operationOf(a);
  // The model that answered first (OpenInference's llm.model_name is the answering model once a
  // response arrived, the requested one otherwise), then the one requested.
  const model = first(
    str(a['gen_ai.response.model']),
    str(a['llm.response.model_name']),
    str(a['llm.model_name']),
    str(a['gen_ai.request.model']),
    str(a['llm.request.model_name']),
  );
  const attributes: Span['attributes'] = {};
  if (model) attributes.model = truncateString(model, Limits.modelMaxChars);
  Object.assign(attributes, tokensOf(a));
  const stop = stopReasonOf(
    first(
      a['gen_ai.response.finish_reasons'],
      a['llm.finish_reason'],
      a['anthropic.message.stop_reason'],
    ),
  );
  if (stop !== undefined) attributes.stop_reason = stop;
  const toolName = first(str(a['gen_ai.tool.name']), str(a['tool.name']));
  if (toolName) attributes.tool_name = truncateString(toolName, Limits.toolNameMaxChars);
  const toolInput = toolInputOf(view, operation);
  if (toolInput !== undefined) {
    attributes.tool_input = truncateString(toolInput, Limits.toolInputMaxChars);
    if (toolInput.length > Limits.toolInputMaxChars) attributes.tool_input_truncated = true;
  }
  const toolOutput = toolOutputOf(view, operation);
  if (toolOutput !== undefined) attributes.tool_output_length = toolOutput.length;
  const room = Limits.attributeMaxKeys - Object.keys(attributes).length;
  Object.assign(attributes, freeAttributes(a, room));

  const exception = view.events.find((e) => e.name === 'exception');
  // Status ERROR is an error; so is an exception event on a span whose status was left unset.
  const failed = view.statusCode === 2 || (view.statusCode === 0 && exception !== undefined);
  const span: Span = {
    span_id: view.spanId,
    trace_id: view.traceId,
    parent_span_id: view.parentSpanId === '' ? null : view.parentSpanId,
    operation,
    status: failed ? 'ERROR' : 'OK',
    start_time: view.startMs,
    end_time: view.endMs,
    attributes,
    events: view.events.slice(0, Limits.spanEventsMax).map((event): SpanEvent => ({
      name: truncateString(event.name || 'event', Limits.nameMaxChars),
      timestamp: event.timeMs >= Limits.minTimestampMs ? event.timeMs : view.startMs,
      attributes: freeEventAttributes(event.attributes),
    })),
  };
  if (view.name) span.name = truncateString(view.name, Limits.nameMaxChars);
  if (failed) {
    const message = first(
      view.statusMessage || undefined,
      str(exception?.attributes['exception.message']),
      str(exception?.attributes['exception.type']),
      str(a['error.type']),
    );
    if (message) span.error_message = truncateString(message, Limits.errorMessageMaxChars);
    span.error_type = errorTypeOf(
      operation,
      first(str(a['error.type']), str(exception?.attributes['exception.type'])),
    );
  }
  return span;
}

function freeEventAttributes(a: OtlpAttributes): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(a)) {
    if (Object.keys(out).length >= Limits.attributeMaxKeys) break;
    if (key.length > Limits.attributeKeyMaxChars || !ATTRIBUTE_KEY.test(key)) continue;
    const v = Array.isArray(value) ? str(value) : value;
    if (v === undefined || (typeof v === 'number' && !Number.isFinite(v))) continue;
    out[key] = typeof v === 'string' ? truncateString(v, Limits.attributeStringMaxChars) : v;
  }
  return out;
}

/** agentmon.* slice attribute → trace context field (root span, else resource). */
const CONTEXT_STRINGS: readonly [string, keyof TraceContext][] = [
  ['agentmon.task_type', 'task_type'],
  ['agentmon.user_segment', 'user_segment'],
  ['agentmon.platform', 'platform'],
  ['agentmon.model_version', 'model_version'],
  ['agentmon.agent_version', 'agent_version'],
];

function idOrUndefined(value: string | undefined): string | undefined {
  return value !== undefined && value.length <= Limits.idMaxChars && ID.test(value)
    ? value
    : undefined;
}

/**
 * The trace context a root span states: session and user (AgentMon, GenAI, OpenInference keys),
 * slice tags from agentmon.*; a resource attribute stands in for a missing span attribute.
 * `conversationId` is a gen_ai.conversation.id seen on another span of the same trace.
 */
export function traceContextOf(view: OtlpSpanView, conversationId?: string): TraceContext {
  const get = (key: string) => view.attributes[key] ?? view.resource[key];
  const context: TraceContext = {};
  const session = idOrUndefined(
    first(
      str(get('agentmon.session_id')),
      str(get('gen_ai.conversation.id')),
      str(get('session.id')),
      conversationId,
    ),
  );
  if (session) context.session_id = session;
  const user = idOrUndefined(
    first(str(get('agentmon.user_id')), str(get('user.id')), str(get('enduser.id'))),
  );
  if (user) context.user_id = user;
  for (const [key, field] of CONTEXT_STRINGS) {
    const value = str(get(key));
    if (value)
      (context as Record<string, unknown>)[field] = truncateString(
        value,
        Limits.sliceValueMaxChars,
      );
  }
  if (!context.agent_version) {
    const version = str(view.resource['service.version']);
    if (version) context.agent_version = truncateString(version, Limits.sliceValueMaxChars);
  }
  const queryLength = count(get('agentmon.query_length'));
  if (queryLength !== undefined) context.query_length = queryLength;
  const sessionNumber = count(get('agentmon.session_number'));
  if (sessionNumber !== undefined && sessionNumber >= 1) context.session_number = sessionNumber;
  return context;
}

/**
 * The trace events a root span implies, with ids derived from the span id so a re-sent batch
 * yields the same events (the sessionizer de-duplicates by event id):
 * - trace_start with the context, when the root states any;
 * - trace_end when it states agentmon.completed (with agentmon.final_output, agentmon.timed_out);
 * - rating / escalation / user_correction / safety_flag / abandonment from agentmon.* outcome keys.
 * A root span without agentmon.completed closes the trace on the root alone (sessionizer rule).
 */
export function rootSpanEvents(view: OtlpSpanView, conversationId?: string): TraceEvent[] {
  const a = view.attributes;
  const events: TraceEvent[] = [];
  const base = (suffix: string, timestamp: number) => ({
    event_id: `${view.spanId}.${suffix}`,
    trace_id: view.traceId,
    timestamp,
  });
  const context = traceContextOf(view, conversationId);
  if (Object.keys(context).length > 0)
    events.push({ ...base('start', view.startMs), type: 'trace_start', context });
  const completed = bool(a['agentmon.completed']);
  if (completed !== undefined) {
    const output = str(a['agentmon.final_output']);
    const timedOut = bool(a['agentmon.timed_out']);
    events.push({
      ...base('end', view.endMs),
      type: 'trace_end',
      completed,
      ended_at: view.endMs,
      ...(output !== undefined && {
        final_output: truncateString(output, Limits.finalOutputMaxChars),
        ...(output.length > Limits.finalOutputMaxChars && { final_output_truncated: true }),
      }),
      ...(timedOut !== undefined && { timed_out: timedOut }),
    });
  }
  const rating = str(a['agentmon.rating']);
  if (rating === 'positive' || rating === 'negative' || rating === 'none')
    events.push({ ...base('rating', view.endMs), type: 'rating', rating });
  if (bool(a['agentmon.escalated']))
    events.push({ ...base('escalation', view.endMs), type: 'escalation' });
  if (bool(a['agentmon.user_corrected']))
    events.push({ ...base('correction', view.endMs), type: 'user_correction' });
  if (bool(a['agentmon.abandoned']))
    events.push({ ...base('abandonment', view.endMs), type: 'abandonment' });
  if (bool(a['agentmon.safety_flagged'])) {
    const category = str(a['agentmon.safety_category']);
    events.push({
      ...base('safety', view.endMs),
      type: 'safety_flag',
      ...(category && { category: truncateString(category, Limits.sliceValueMaxChars) }),
    });
  }
  return events;
}

import type { Span } from '@agentmon/contracts';
import { lookupModelPrice, tokenCostUsd, type PriceTable } from './price-table';

/** Everything a summary derives from spans alone. */
export interface SpanMetrics {
  root: Span | null;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  llm_call_count: number;
  tool_call_count: number;
  tool_error_count: number;
  step_count: number;
  error_count: number;
  /** Span-level error types; trace-level ones (abandonment, hallucination) come from events. */
  tool_failures: number;
  llm_refusals: number;
  span_timeouts: number;
  token_cost_usd: number;
  tool_cost_usd: number;
  /** Models priced with the table's default (sorted, distinct); '' stands for "no model". */
  unpriced_models: string[];
}

type SpanErrorKind = 'tool_failure' | 'llm_refusal' | 'timeout' | null;

// Tokens are summed from these only: frameworks often roll child usage up onto agent_step or
// chain spans, and summing those too would double count.
const TOKEN_OPERATIONS = new Set<Span['operation']>(['llm_call', 'embedding']);

/**
 * A model call recorded twice: an llm_call (or embedding) span whose parent is a span of the same
 * operation. Two instrumentations of one client nest so, each recording the same call: an
 * OpenInference (or framework) LLM span around the span the Anthropic SDK emits itself, with the
 * same usage. The outer span counts; the inner adds no call, tokens, cost or error.
 */
function nestedRecordings(spans: readonly Span[]): Set<Span> {
  const operationOf = new Map(spans.map((s) => [s.span_id, s.operation]));
  return new Set(
    spans.filter(
      (s) =>
        TOKEN_OPERATIONS.has(s.operation) &&
        s.parent_span_id !== null &&
        operationOf.get(s.parent_span_id) === s.operation,
    ),
  );
}

export function deriveSpanMetrics(spans: readonly Span[], prices: PriceTable): SpanMetrics {
  const m: SpanMetrics = {
    root: findRoot(spans),
    input_tokens: 0,
    output_tokens: 0,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    llm_call_count: 0,
    tool_call_count: 0,
    tool_error_count: 0,
    step_count: 0,
    error_count: 0,
    tool_failures: 0,
    llm_refusals: 0,
    span_timeouts: 0,
    token_cost_usd: 0,
    tool_cost_usd: 0,
    unpriced_models: [],
  };
  const unpriced = new Set<string>();
  const nested = nestedRecordings(spans);
  for (const span of spans) {
    if (nested.has(span)) continue;
    countOperation(m, span);
    countError(m, span);
    m.tool_cost_usd += span.attributes.tool_cost_usd ?? 0;
    if (TOKEN_OPERATIONS.has(span.operation)) addTokens(m, span, prices, unpriced);
  }
  // Agents without agent_step spans (plain OTLP loops): each model turn is a step.
  if (m.step_count === 0) m.step_count = m.llm_call_count;
  m.unpriced_models = [...unpriced].sort();
  return m;
}

/** The root is the span without a parent; of several, the earliest (then lowest id). */
function findRoot(spans: readonly Span[]): Span | null {
  let root: Span | null = null;
  for (const span of spans) {
    if (span.parent_span_id !== null) continue;
    if (
      root === null ||
      span.start_time < root.start_time ||
      (span.start_time === root.start_time && span.span_id < root.span_id)
    ) {
      root = span;
    }
  }
  return root;
}

function countOperation(m: SpanMetrics, span: Span): void {
  if (span.operation === 'llm_call') m.llm_call_count += 1;
  else if (span.operation === 'agent_step') m.step_count += 1;
  else if (span.operation === 'tool_call') {
    m.tool_call_count += 1;
    if (span.status === 'ERROR') m.tool_error_count += 1;
  }
}

function countError(m: SpanMetrics, span: Span): void {
  if (span.status === 'ERROR') m.error_count += 1;
  const kind = spanErrorKind(span);
  if (kind === 'tool_failure') m.tool_failures += 1;
  else if (kind === 'llm_refusal') m.llm_refusals += 1;
  else if (kind === 'timeout') m.span_timeouts += 1;
}

/**
 * One trace-level error type per span at most, so a timed-out tool call is a timeout and not
 * also a tool failure. A refusal counts even with status OK: the API call succeeded, the model
 * declined.
 */
export function spanErrorKind(span: Span): SpanErrorKind {
  const t = span.error_type;
  if (t === 'tool_failure' || t === 'llm_refusal' || t === 'timeout') return t;
  if (span.operation === 'llm_call' && span.attributes.stop_reason === 'refusal') {
    return 'llm_refusal';
  }
  if (span.operation === 'tool_call' && span.status === 'ERROR') return 'tool_failure';
  return null;
}

function addTokens(m: SpanMetrics, span: Span, prices: PriceTable, unpriced: Set<string>): void {
  const a = span.attributes;
  const usage = {
    input: a.input_tokens ?? 0,
    output: a.output_tokens ?? 0,
    cacheRead: a.cache_read_tokens ?? 0,
    cacheWrite: a.cache_write_tokens ?? 0,
  };
  m.input_tokens += usage.input;
  m.output_tokens += usage.output;
  m.cache_read_tokens += usage.cacheRead;
  m.cache_write_tokens += usage.cacheWrite;
  if (usage.input + usage.output + usage.cacheRead + usage.cacheWrite === 0) return;
  const { price, known } = lookupModelPrice(prices, a.model);
  if (!known) unpriced.add(a.model ?? '');
  m.token_cost_usd += tokenCostUsd(price, usage);
}

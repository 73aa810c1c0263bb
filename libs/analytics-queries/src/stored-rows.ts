import type { Span, TraceSummary } from '@agentmon/contracts';

/** A `trace_summaries` row as JSONEachRow returns it (64-bit integers arrive as strings). */
export type StoredSummaryRow = Record<string, string | number | string[]>;
/** A `spans` / `spans_recent` row as JSONEachRow returns it. */
export type StoredSpanRow = Record<string, string | number>;

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));
const bool = (v: unknown): boolean => num(v) !== 0;
const orNull = (v: unknown): string | null => (v === '' || v === undefined ? null : String(v));

/** A stored summary back in its contract shape (the form the traces topic carries). */
export function toTraceSummary(row: StoredSummaryRow): TraceSummary {
  const sessionNumber = num(row.session_number);
  return {
    trace_id: String(row.trace_id),
    project_id: String(row.project_id),
    revision: num(row.revision),
    session_id: orNull(row.session_id),
    user_id: orNull(row.user_id),
    started_at: num(row.started_at_ms),
    ended_at: num(row.ended_at_ms),
    duration_ms: num(row.duration_ms),
    final_output: orNull(row.final_output),
    completed: bool(row.completed),
    rating: String(row.rating) as TraceSummary['rating'],
    corrected: bool(row.corrected),
    escalated: bool(row.escalated),
    safety_flagged: bool(row.safety_flagged),
    abandoned: bool(row.abandoned),
    timed_out: bool(row.timed_out),
    hallucination_caught: bool(row.hallucination_caught),
    accepted: bool(row.accepted),
    output_copied: bool(row.output_copied),
    follow_up: bool(row.follow_up),
    task_type: orNull(row.task_type),
    user_segment: orNull(row.user_segment),
    platform: orNull(row.platform),
    model_version: orNull(row.model_version),
    agent_version: orNull(row.agent_version),
    // 0 is how the sink stores "not sent" for both.
    query_length: num(row.query_length) === 0 ? null : num(row.query_length),
    session_number: sessionNumber === 0 ? null : sessionNumber,
    first_session: bool(row.first_session),
    input_tokens: num(row.input_tokens),
    output_tokens: num(row.output_tokens),
    cache_read_tokens: num(row.cache_read_tokens),
    cache_write_tokens: num(row.cache_write_tokens),
    span_count: num(row.span_count),
    llm_call_count: num(row.llm_call_count),
    tool_call_count: num(row.tool_call_count),
    tool_error_count: num(row.tool_error_count),
    step_count: num(row.step_count),
    error_count: num(row.error_count),
    error_types: {
      tool_failure: num(row.errors_tool_failure),
      llm_refusal: num(row.errors_llm_refusal),
      timeout: num(row.errors_timeout),
      user_abandonment: num(row.errors_user_abandonment),
      hallucination_caught: num(row.errors_hallucination_caught),
    },
    cost_usd: num(row.cost_usd),
    tool_cost_usd: num(row.tool_cost_usd),
    weak_completion: bool(row.weak_completion),
    strong_completion: bool(row.strong_completion),
    sampled: bool(row.sampled),
    sampling_rule: String(row.sampling_rule) as TraceSummary['sampling_rule'],
    closed_reason: String(row.closed_reason) as TraceSummary['closed_reason'],
    closed_at: num(row.closed_at_ms),
    flags: (Array.isArray(row.flags) ? row.flags : []) as TraceSummary['flags'],
  };
}

function parseJson<T>(text: unknown, fallback: T): T {
  try {
    return typeof text === 'string' && text !== '' ? (JSON.parse(text) as T) : fallback;
  } catch {
    return fallback;
  }
}

/** A stored span back in its contract shape (attributes and events parsed). */
export function toSpan(row: StoredSpanRow): Span {
  const span: Record<string, unknown> = {
    span_id: String(row.span_id),
    trace_id: String(row.trace_id),
    parent_span_id: orNull(row.parent_span_id),
    operation: String(row.operation),
    start_time: num(row.start_time_ms),
    end_time: num(row.end_time_ms),
    status: String(row.status),
    attributes: parseJson(row.attributes_json, {}),
    events: parseJson(row.events_json, []),
  };
  // Optional fields the sink stored as '' are left out, as the contract has them.
  if (row.name) span.name = String(row.name);
  if (row.error_message) span.error_message = String(row.error_message);
  if (row.error_type) span.error_type = String(row.error_type);
  return span as Span;
}

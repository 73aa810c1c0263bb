import type { TraceSummary } from '@agentmon/contracts';
import { createIdGenerator, FIXED_TIME_MS, type FactoryOptions } from './id-generator';

/**
 * A valid, strongly completed, unsampled summary. Overriding started_at/ended_at keeps
 * duration_ms consistent unless duration_ms is overridden too.
 */
export function makeTraceSummary(
  partial: Partial<TraceSummary> = {},
  options: FactoryOptions = {},
): TraceSummary {
  const id = createIdGenerator(options.seed);
  const started_at = partial.started_at ?? FIXED_TIME_MS;
  const ended_at = partial.ended_at ?? started_at + 5_000;
  return {
    trace_id: id('trace'),
    project_id: 'project-1',
    revision: 0,
    session_id: 'session-1',
    user_id: 'user-1',
    started_at,
    ended_at,
    duration_ms: ended_at - started_at,
    final_output: 'Done.',
    completed: true,
    rating: 'none',
    corrected: false,
    escalated: false,
    safety_flagged: false,
    abandoned: false,
    timed_out: false,
    hallucination_caught: false,
    accepted: true,
    output_copied: false,
    follow_up: false,
    task_type: 'code_review',
    user_segment: 'enterprise',
    platform: 'web',
    model_version: 'claude-sonnet-4',
    agent_version: '1.4.0',
    query_length: 120,
    session_number: 3,
    first_session: false,
    input_tokens: 2400,
    output_tokens: 600,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    span_count: 4,
    llm_call_count: 2,
    tool_call_count: 1,
    tool_error_count: 0,
    step_count: 1,
    error_count: 0,
    error_types: {
      tool_failure: 0,
      llm_refusal: 0,
      timeout: 0,
      user_abandonment: 0,
      hallucination_caught: 0,
    },
    // 2400 * $3/M + 600 * $15/M
    cost_usd: 0.0162,
    tool_cost_usd: 0,
    weak_completion: true,
    strong_completion: true,
    sampled: false,
    sampling_rule: 'unsampled',
    closed_reason: 'trace_end',
    closed_at: ended_at + 1_000,
    flags: [],
    ...partial,
  };
}

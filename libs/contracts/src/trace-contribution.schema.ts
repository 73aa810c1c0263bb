import { z } from 'zod';
import { nonEmptyBoundedString } from './bounded-string';
import { ErrorTypeCountsSchema } from './error-type.schema';
import { Limits } from './limits';
import { TokenCountSchema, UsdAmountSchema } from './span-attributes.schema';
import { TimestampMsSchema } from './timestamp.schema';
import { RatingSchema } from './trace-event.schema';
import type { TraceSummary } from './trace-summary.schema';

const CountSchema = z.number().int().nonnegative();
const SliceTagSchema = nonEmptyBoundedString(Limits.sliceValueMaxChars).nullable();

/**
 * Exactly the fields of a trace summary that a metric aggregate reads. A revision of a summary
 * carries the previous revision's contribution (`previous_contribution`) so the aggregator can
 * subtract it from the window it was counted in without keeping per-trace state: the state an
 * exact revision needs travels with the record instead of living in the aggregator's memory.
 * Kept strict and minimal so a revision record stays small and a new metric input is a
 * deliberate contract change.
 */
export const TraceContributionSchema = z.strictObject({
  ended_at: TimestampMsSchema,
  duration_ms: CountSchema,

  task_type: SliceTagSchema,
  user_segment: SliceTagSchema,
  platform: SliceTagSchema,
  model_version: SliceTagSchema,
  agent_version: SliceTagSchema,
  query_length: CountSchema.nullable(),
  session_number: z.number().int().min(1).nullable(),
  first_session: z.boolean(),

  completed: z.boolean(),
  strong_completion: z.boolean(),
  cost_usd: UsdAmountSchema,
  tool_cost_usd: UsdAmountSchema,
  tool_call_count: CountSchema,
  tool_error_count: CountSchema,
  step_count: CountSchema,
  input_tokens: TokenCountSchema,
  output_tokens: TokenCountSchema,
  error_types: ErrorTypeCountsSchema,

  rating: RatingSchema,
  accepted: z.boolean(),
  output_copied: z.boolean(),
  follow_up: z.boolean(),
  corrected: z.boolean(),
  abandoned: z.boolean(),
});
export type TraceContribution = z.infer<typeof TraceContributionSchema>;

/** The contribution of one summary, as the sessionizer puts it on the next revision. */
export function toTraceContribution(summary: TraceSummary): TraceContribution {
  return {
    ended_at: summary.ended_at,
    duration_ms: summary.duration_ms,
    task_type: summary.task_type,
    user_segment: summary.user_segment,
    platform: summary.platform,
    model_version: summary.model_version,
    agent_version: summary.agent_version,
    query_length: summary.query_length,
    session_number: summary.session_number,
    first_session: summary.first_session,
    completed: summary.completed,
    strong_completion: summary.strong_completion,
    cost_usd: summary.cost_usd,
    tool_cost_usd: summary.tool_cost_usd,
    tool_call_count: summary.tool_call_count,
    tool_error_count: summary.tool_error_count,
    step_count: summary.step_count,
    input_tokens: summary.input_tokens,
    output_tokens: summary.output_tokens,
    error_types: { ...summary.error_types },
    rating: summary.rating,
    accepted: summary.accepted,
    output_copied: summary.output_copied,
    follow_up: summary.follow_up,
    corrected: summary.corrected,
    abandoned: summary.abandoned,
  };
}

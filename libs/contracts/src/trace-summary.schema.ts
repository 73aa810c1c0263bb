import { z } from 'zod';
import { boundedString, nonEmptyBoundedString } from './bounded-string';
import { ErrorTypeCountsSchema } from './error-type.schema';
import { IdSchema } from './id.schema';
import { Limits } from './limits';
import { TokenTotalSchema, UsdAmountSchema } from './span-attributes.schema';
import { TimestampMsSchema } from './timestamp.schema';
import { RatingSchema } from './trace-event.schema';

const CountSchema = z.number().int().nonnegative();
const SliceTagSchema = nonEmptyBoundedString(Limits.sliceValueMaxChars).nullable();

/** Why the sampler kept (or did not keep) the full trace; `unsampled` when sampled is false. */
export const SamplingRuleSchema = z.enum([
  'failure',
  'safety_flagged',
  'first_session',
  'random_success',
  /** A success kept by the per-(project, task type, hour) floor, past the random draw. */
  'success_floor',
  'unsampled',
]);
export type SamplingRule = z.infer<typeof SamplingRuleSchema>;

/** Why the sessionizer closed the trace. */
export const ClosedReasonSchema = z.enum([
  'trace_end',
  'root_grace',
  'inactivity',
  'cap_exceeded',
  'max_duration',
]);
export type ClosedReason = z.infer<typeof ClosedReasonSchema>;

/** Anything about the summary a reader should not take at face value. */
export const TraceFlagSchema = z.enum([
  /** Spans past the per-trace cap were dropped; span-derived counts are lower bounds. */
  'spans_truncated',
  'final_output_truncated',
  /** No root span was seen (parent ids point at spans that never arrived). */
  'missing_root',
  /** No trace_end event: completion was inferred. */
  'missing_trace_end',
  /** This revision was produced by a late span or event after the first close. */
  'late_revision',
]);
export type TraceFlag = z.infer<typeof TraceFlagSchema>;

/**
 * One finished trace on the traces topic (all traces, sampled or not; metrics are computed from
 * these, never from the sample). A later `revision` of the same (project_id, trace_id) replaces
 * an earlier one, which is how late feedback such as hallucination_caught is applied idempotently.
 */
/** Every field of a trace summary but the revision's own bookkeeping (previous_contribution). */
const traceSummaryFields = {
  trace_id: IdSchema,
  project_id: IdSchema,
  revision: CountSchema,
  session_id: IdSchema.nullable(),
  user_id: IdSchema.nullable(),
  started_at: TimestampMsSchema,
  ended_at: TimestampMsSchema,
  duration_ms: CountSchema,
  final_output: boundedString(Limits.finalOutputMaxChars).nullable(),

  // Outcome, from trace_end and feedback events.
  completed: z.boolean(),
  rating: RatingSchema,
  corrected: z.boolean(),
  escalated: z.boolean(),
  safety_flagged: z.boolean(),
  abandoned: z.boolean(),
  timed_out: z.boolean(),
  hallucination_caught: z.boolean(),
  // Implicit satisfaction signals (DESIGN): accepted (+), copied (strong +), follow-up (+).
  accepted: z.boolean(),
  output_copied: z.boolean(),
  follow_up: z.boolean(),

  // Slice tags, null when the agent did not send them.
  task_type: SliceTagSchema,
  user_segment: SliceTagSchema,
  platform: SliceTagSchema,
  model_version: SliceTagSchema,
  agent_version: SliceTagSchema,
  query_length: CountSchema.nullable(),
  session_number: z.number().int().min(1).nullable(),
  first_session: z.boolean(),

  // Derived from spans.
  input_tokens: TokenTotalSchema,
  output_tokens: TokenTotalSchema,
  cache_read_tokens: TokenTotalSchema,
  cache_write_tokens: TokenTotalSchema,
  span_count: CountSchema,
  llm_call_count: CountSchema,
  tool_call_count: CountSchema,
  tool_error_count: CountSchema,
  step_count: CountSchema,
  error_count: CountSchema,
  error_types: ErrorTypeCountsSchema,
  /** Token cost from the model price table plus tool_cost_usd. */
  cost_usd: UsdAmountSchema,
  tool_cost_usd: UsdAmountSchema,
  weak_completion: z.boolean(),
  strong_completion: z.boolean(),

  sampled: z.boolean(),
  sampling_rule: SamplingRuleSchema,
  closed_reason: ClosedReasonSchema,
  closed_at: TimestampMsSchema,
  flags: z.array(TraceFlagSchema).max(TraceFlagSchema.options.length),
};

/**
 * Exactly the fields of a trace summary that a metric aggregate reads, picked from the summary's
 * own fields (one definition). A revision of a summary carries the previous revision's
 * contribution (`previous_contribution`) so the aggregator can subtract it from the window it was
 * counted in without keeping per-trace state. Kept minimal so a revision record stays small and a
 * new metric input is a deliberate contract change.
 */
export const TraceContributionSchema = z.strictObject(traceSummaryFields).pick({
  ended_at: true,
  duration_ms: true,
  task_type: true,
  user_segment: true,
  platform: true,
  model_version: true,
  agent_version: true,
  query_length: true,
  session_number: true,
  first_session: true,
  completed: true,
  strong_completion: true,
  safety_flagged: true,
  cost_usd: true,
  tool_cost_usd: true,
  tool_call_count: true,
  tool_error_count: true,
  step_count: true,
  input_tokens: true,
  output_tokens: true,
  error_types: true,
  rating: true,
  accepted: true,
  output_copied: true,
  follow_up: true,
  corrected: true,
  abandoned: true,
});
export type TraceContribution = z.infer<typeof TraceContributionSchema>;

export const TraceSummarySchema = z
  .strictObject({
    ...traceSummaryFields,
    /**
     * On a revision (revision > 0): what the previous revision contributed to metrics, so the
     * aggregator moves the trace's contribution instead of counting it twice. Optional and
     * nullable so producers that do not know it yet stay valid.
     */
    previous_contribution: TraceContributionSchema.nullable().optional(),
  })
  .superRefine((t, ctx) => {
    if (t.ended_at < t.started_at) {
      ctx.addIssue({
        code: 'custom',
        path: ['ended_at'],
        message: 'must not be before started_at',
      });
    } else if (t.duration_ms !== t.ended_at - t.started_at) {
      ctx.addIssue({
        code: 'custom',
        path: ['duration_ms'],
        message: 'must equal ended_at - started_at',
      });
    }
    if (t.tool_error_count > t.tool_call_count) {
      ctx.addIssue({
        code: 'custom',
        path: ['tool_error_count'],
        message: 'must not exceed tool_call_count',
      });
    }
    if (t.sampled === (t.sampling_rule === 'unsampled')) {
      ctx.addIssue({
        code: 'custom',
        path: ['sampling_rule'],
        message: 'must be "unsampled" exactly when sampled is false',
      });
    }
    if (t.strong_completion && !t.completed) {
      ctx.addIssue({
        code: 'custom',
        path: ['strong_completion'],
        message: 'requires completed',
      });
    }
  });
export type TraceSummary = z.infer<typeof TraceSummarySchema>;

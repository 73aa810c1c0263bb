import { z } from 'zod';
import { ErrorTypeCountsSchema, TraceErrorTypeSchema } from './error-type.schema';
import { IdSchema } from './id.schema';
import { SliceSchema } from './slice.schema';
import { UsdAmountSchema } from './span-attributes.schema';
import { TimestampMsSchema } from './timestamp.schema';

const CountSchema = z.number().int().nonnegative();
/** A fraction in [0, 1]; null when its denominator is zero (no traces, no tool calls). */
const RateSchema = z.number().min(0).max(1).nullable();
/** A mean or percentile; null when there is nothing to average. */
const StatSchema = z.number().nonnegative().nullable();

/** Room for other metric families (for example traffic mix) without a new topic. */
export const MetricGroupSchema = z.enum(['traces']);
export type MetricGroup = z.infer<typeof MetricGroupSchema>;

export const ErrorTypeRatesSchema = z.strictObject(
  Object.fromEntries(TraceErrorTypeSchema.options.map((t) => [t, RateSchema])) as Record<
    z.infer<typeof TraceErrorTypeSchema>,
    typeof RateSchema
  >,
);
export type ErrorTypeRates = z.infer<typeof ErrorTypeRatesSchema>;

/**
 * Aggregates of one series (project, metric group, slice) over one tumbling window, on the
 * metrics topic. Sums are carried next to the ratios so windows can be merged and re-derived.
 * The aggregator re-emits a window with a higher `revision` when late traces or trace revisions
 * arrive; sinks keep the highest revision per (series, window_start, window_size_ms).
 */
export const MetricWindowSchema = z
  .strictObject({
    project_id: IdSchema,
    metric_group: MetricGroupSchema,
    slice: SliceSchema,
    window_start: TimestampMsSchema,
    window_end: TimestampMsSchema,
    window_size_ms: z.number().int().positive(),
    revision: CountSchema,
    computed_at: TimestampMsSchema,

    trace_count: CountSchema,
    completed_count: CountSchema,
    strong_completed_count: CountSchema,
    completion_rate: RateSchema,
    strong_completion_rate: RateSchema,
    /** completion_rate - strong_completion_rate: completions users did not accept. */
    completion_gap: z.number().min(-1).max(1).nullable(),

    latency_p50_ms: StatSchema,
    latency_p95_ms: StatSchema,
    latency_p99_ms: StatSchema,

    cost_total_usd: UsdAmountSchema,
    cost_avg_usd: StatSchema,
    /** cost_total_usd / strong_completed_count: what one truly successful task costs. */
    cost_per_successful_task_usd: StatSchema,

    tool_call_count: CountSchema,
    tool_error_count: CountSchema,
    /** tool_error_count / tool_call_count. */
    error_rate: RateSchema,
    /** Traces with at least one error of each type. */
    error_type_counts: ErrorTypeCountsSchema,
    /** error_type_counts / trace_count. */
    error_type_rates: ErrorTypeRatesSchema,

    step_count: CountSchema,
    input_tokens: CountSchema,
    output_tokens: CountSchema,
    avg_tool_calls: StatSchema,
    avg_steps: StatSchema,
    avg_input_tokens: StatSchema,
    avg_output_tokens: StatSchema,
    avg_tokens: StatSchema,
    /**
     * This slice's trace_count / the project's overall trace_count in the same window (1 for
     * the overall series). Optional so windows written before it existed still parse.
     */
    traffic_share: RateSchema.optional(),
    /**
     * Overall window only: traces per value of each slice dimension (and per tool-calls-per-session
     * bucket under `tool_calls`), so the detector scores shifts in the traffic mix from one series.
     */
    traffic_mix: z
      .record(z.string().max(64), z.record(z.string().max(256), CountSchema))
      .optional(),
    /** Traces flagged by safety checks (adversarial shift). */
    safety_flagged_count: CountSchema.optional(),
  })
  .superRefine((w, ctx) => {
    if (w.window_end - w.window_start !== w.window_size_ms) {
      ctx.addIssue({
        code: 'custom',
        path: ['window_end'],
        message: 'must equal window_start + window_size_ms',
      });
    }
    if (w.completed_count > w.trace_count) {
      ctx.addIssue({
        code: 'custom',
        path: ['completed_count'],
        message: 'must not exceed trace_count',
      });
    }
    if (w.strong_completed_count > w.completed_count) {
      ctx.addIssue({
        code: 'custom',
        path: ['strong_completed_count'],
        message: 'must not exceed completed_count',
      });
    }
    if (w.tool_error_count > w.tool_call_count) {
      ctx.addIssue({
        code: 'custom',
        path: ['tool_error_count'],
        message: 'must not exceed tool_call_count',
      });
    }
  });
export type MetricWindow = z.infer<typeof MetricWindowSchema>;

/** The metric names an alert can be about: the window's ratios and stats, plus traffic share. */
export const MetricNameSchema = z.enum([
  'trace_count',
  'completion_rate',
  'strong_completion_rate',
  'completion_gap',
  'latency_p50_ms',
  'latency_p95_ms',
  'latency_p99_ms',
  'cost_avg_usd',
  'cost_per_successful_task_usd',
  'error_rate',
  'tool_failure_rate',
  'llm_refusal_rate',
  'timeout_rate',
  'user_abandonment_rate',
  'hallucination_caught_rate',
  'avg_tool_calls',
  'avg_steps',
  'avg_tokens',
  /** A slice's share of the project's traces: detects shifts in the traffic mix itself. */
  'traffic_share',
]);
export type MetricName = z.infer<typeof MetricNameSchema>;

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

    // User satisfaction (libs/aggregator-domain/SATISFACTION.md). Optional so windows written
    // before they existed still parse; the aggregator always sets them.
    /** Traces rated positive / negative by the user (explicit ratings). */
    rating_positive_count: CountSchema.optional(),
    rating_negative_count: CountSchema.optional(),
    /** Rated traces / trace_count: how far the explicit ratings can be trusted (often 1–5 %). */
    rating_coverage: RateSchema.optional(),
    /** Positive among rated traces; null when nothing was rated. */
    positive_share: RateSchema.optional(),
    /** Wilson score 95 % interval of positive_share (3 ratings are not 100 %). */
    positive_share_low: RateSchema.optional(),
    positive_share_high: RateSchema.optional(),
    /** Traces with each implicit signal. */
    accepted_count: CountSchema.optional(),
    corrected_count: CountSchema.optional(),
    abandoned_count: CountSchema.optional(),
    follow_up_count: CountSchema.optional(),
    output_copied_count: CountSchema.optional(),
    /** Each implicit signal's count / trace_count. */
    accepted_rate: RateSchema.optional(),
    corrected_rate: RateSchema.optional(),
    abandoned_rate: RateSchema.optional(),
    follow_up_rate: RateSchema.optional(),
    copied_rate: RateSchema.optional(),
    /**
     * Implicit satisfaction index in [−1, 1]: Σ weight × signal count / Σ |weight| × signal
     * count over the five implicit signals (AGGREGATOR_SATISFACTION_WEIGHT_*); null when no trace
     * carried any weighted signal.
     */
    satisfaction_index: z.number().min(-1).max(1).nullable().optional(),
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
    const rated = (w.rating_positive_count ?? 0) + (w.rating_negative_count ?? 0);
    if (rated > w.trace_count) {
      ctx.addIssue({
        code: 'custom',
        path: ['rating_positive_count'],
        message: 'rating_positive_count + rating_negative_count must not exceed trace_count',
      });
    }
    if (
      w.positive_share_low != null &&
      w.positive_share_high != null &&
      w.positive_share_low > w.positive_share_high
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['positive_share_low'],
        message: 'must not exceed positive_share_high',
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
  // User satisfaction: explicit ratings and implicit signals.
  'rating_coverage',
  'positive_share',
  'accepted_rate',
  'corrected_rate',
  /** The implicit `abandoned` signal (not the user_abandonment error type). */
  'abandoned_rate',
  'follow_up_rate',
  'copied_rate',
  'satisfaction_index',
]);
export type MetricName = z.infer<typeof MetricNameSchema>;

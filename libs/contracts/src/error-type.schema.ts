import { z } from 'zod';

/** Why one span failed, as the agent reports it. */
export const SpanErrorTypeSchema = z.enum([
  'tool_failure',
  'llm_refusal',
  'timeout',
  'rate_limited',
  'invalid_input',
  'other',
]);
export type SpanErrorType = z.infer<typeof SpanErrorTypeSchema>;

/** The trace-level error types DESIGN counts separately in summaries and metrics. */
export const TraceErrorTypeSchema = z.enum([
  'tool_failure',
  'llm_refusal',
  'timeout',
  'user_abandonment',
  'hallucination_caught',
]);
export type TraceErrorType = z.infer<typeof TraceErrorTypeSchema>;

/** One non-negative count per trace-level error type; every key is always present. */
export const ErrorTypeCountsSchema = z.strictObject({
  tool_failure: z.number().int().nonnegative(),
  llm_refusal: z.number().int().nonnegative(),
  timeout: z.number().int().nonnegative(),
  user_abandonment: z.number().int().nonnegative(),
  hallucination_caught: z.number().int().nonnegative(),
});
export type ErrorTypeCounts = z.infer<typeof ErrorTypeCountsSchema>;

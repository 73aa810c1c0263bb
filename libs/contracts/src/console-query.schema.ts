import { z } from 'zod';
import { ChartMetricSchema } from './detector-rules.schema';
import { TraceErrorTypeSchema } from './error-type.schema';
import { Limits } from './limits';

// What the console's pages and JSON API accept in their query strings and forms. Strict objects:
// a misspelt parameter is refused with its name rather than silently ignored. Times stay text
// (`24h`, `7d`, ISO-8601): the read layer's resolveTimeRange turns them into a period.

/** What a reviewer decides about one of the week's review traces. */
export const ReviewVerdictSchema = z.enum(['good', 'bad', 'add_to_eval_set']);
export type ReviewVerdict = z.infer<typeof ReviewVerdictSchema>;

const timeText = z.string().trim().min(1).max(64);
const filterText = z.string().trim().max(Limits.nameMaxChars);
/** A project the token may read; which ones it may is checked by the console, not here. */
const projectParam = z.string().trim().min(1).max(128).optional();

/** `1`/`true`/`on` (a checked form box) or `0`/`false`. */
const flag = z
  .enum(['1', '0', 'true', 'false', 'on'], { error: 'expected true or false' })
  .transform((value) => value === '1' || value === 'true' || value === 'on');

export const PeriodQuerySchema = z.strictObject({
  project: projectParam,
  since: timeText.optional(),
  until: timeText.optional(),
});
export type PeriodQuery = z.infer<typeof PeriodQuerySchema>;

/** A control chart: one metric of one series, `all` or `<dimension>=<value>`. */
export const ChartQuerySchema = PeriodQuerySchema.extend({
  metric: ChartMetricSchema.default('completion_rate'),
  slice: z.string().trim().min(1).max(300).default('all'),
});
export type ChartQuery = z.infer<typeof ChartQuerySchema>;

/** Trace search: outcome `failure` is DESIGN's failure (not completed, errors, timeout, …). */
export const TraceSearchQuerySchema = PeriodQuerySchema.extend({
  task_type: filterText.optional(),
  outcome: z.enum(['any', 'success', 'failure']).default('any'),
  error_type: z.union([z.literal(''), TraceErrorTypeSchema]).default(''),
  user_id: filterText.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export type TraceSearchQuery = z.infer<typeof TraceSearchQuerySchema>;

/** The eval-candidate export, with the filters of `agentmon eval-candidates`. */
export const ExportQuerySchema = PeriodQuerySchema.extend({
  task_type: filterText.optional(),
  limit: z.coerce.number().int().min(1).max(10000).default(100),
  successes: z.coerce.number().int().min(0).max(10000).optional(),
  include_exported: flag.default(false),
});
export type ExportQuery = z.infer<typeof ExportQuerySchema>;

/** A verdict posted from the review page (form or JSON). */
export const ReviewVerdictInputSchema = z.strictObject({
  project: projectParam,
  verdict: ReviewVerdictSchema,
  note: z.string().trim().max(Limits.alertMessageMaxChars).default(''),
});
export type ReviewVerdictInput = z.infer<typeof ReviewVerdictInputSchema>;

/** The console's login form. */
export const ConsoleLoginSchema = z.strictObject({
  token: z.string().trim().min(1).max(512),
  next: z.string().max(2000).optional(),
});
export type ConsoleLogin = z.infer<typeof ConsoleLoginSchema>;

import { z } from 'zod';
import { nonEmptyBoundedString } from './bounded-string';
import { IdSchema } from './id.schema';
import { Limits } from './limits';
import { MetricNameSchema } from './metric-window.schema';
import { SliceSchema } from './slice.schema';
import { TimestampMsSchema } from './timestamp.schema';

export const AlertStateSchema = z.enum(['firing', 'resolved']);
export type AlertState = z.infer<typeof AlertStateSchema>;

export const AlertSeveritySchema = z.enum(['critical', 'warning', 'info']);
export type AlertSeverity = z.infer<typeof AlertSeveritySchema>;

/**
 * One alert state change on the alerts topic, keyed by `fingerprint` (stable across firing and
 * resolved for the same condition) so a notifier sees a condition's changes in order.
 * `alert_id` is unique per state change and is the idempotency key for the alert log.
 */
export const AlertSchema = z.strictObject({
  alert_id: IdSchema,
  /** Kafka key; any stable text (often project, metric and slice), so not restricted like ids. */
  fingerprint: nonEmptyBoundedString(Limits.nameMaxChars),
  project_id: IdSchema,
  state: AlertStateSchema,
  severity: AlertSeveritySchema,
  metric: MetricNameSchema,
  slice: SliceSchema,
  message: nonEmptyBoundedString(Limits.alertMessageMaxChars),
  current_value: z.number(),
  baseline: z.number().nullable(),
  threshold: z.number(),
  /** When the state changed (detector time, derived from the window, not wall clock). */
  time: TimestampMsSchema,
  window_start: TimestampMsSchema,
  window_end: TimestampMsSchema,
});
export type Alert = z.infer<typeof AlertSchema>;

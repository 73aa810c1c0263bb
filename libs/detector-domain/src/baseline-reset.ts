import {
  ChartMetricSchema,
  IdSchema,
  SliceDimensionSchema,
  SliceSchema,
  type Slice,
} from '@agentmon/contracts';
import { z } from 'zod';
import type { BaselineReset } from './engine';

/**
 * A baseline reset as `agentmon baseline reset` records it: on the Redis stream the running
 * detector reads (BASELINE_RESETS_STREAM, field `reset`) and as a row of ClickHouse
 * `baseline_resets` (the audit log `agentmon alerts` shows). Absent scope fields = every value.
 */
export const BaselineResetRecordSchema = z.strictObject({
  reset_id: z.string().min(1).max(64),
  /** When it was requested (ms); it applies to windows starting at or after this time. */
  requested_at: z.number().int().nonnegative(),
  requested_by: z.string().min(1).max(256),
  reason: z.string().min(1).max(2048),
  project_id: IdSchema.optional(),
  metric: ChartMetricSchema.optional(),
  slice: SliceSchema.optional(),
});
export type BaselineResetRecord = z.infer<typeof BaselineResetRecordSchema>;

/** The Redis stream of reset requests (trimmed to about BASELINE_RESETS_KEPT entries). */
export const BASELINE_RESETS_STREAM = 'agentmon:detector:baseline-resets';
export const BASELINE_RESETS_KEPT = 10_000;

/** The engine's view of a recorded reset. */
export function toBaselineReset(record: BaselineResetRecord): BaselineReset {
  return {
    from: record.requested_at,
    ...(record.project_id !== undefined ? { projectId: record.project_id } : {}),
    ...(record.metric !== undefined ? { metric: record.metric } : {}),
    ...(record.slice !== undefined ? { slice: record.slice as Slice } : {}),
  };
}

/** `task_type=faq` → a slice; `all` → the overall slice; anything else throws with the reason. */
export function parseSliceText(text: string): Slice {
  if (text === 'all') return { dimension: 'all', value: '*' };
  const eq = text.indexOf('=');
  const parsed = SliceSchema.safeParse({ dimension: text.slice(0, eq), value: text.slice(eq + 1) });
  if (eq <= 0 || !parsed.success || parsed.data.dimension === 'all') {
    throw new Error(
      `slice must be "all" or "<dimension>=<value>" with dimension one of ${SliceDimensionSchema.options.filter((d) => d !== 'all').join(', ')}`,
    );
  }
  return parsed.data;
}

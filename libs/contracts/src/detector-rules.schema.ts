import { z } from 'zod';
import { AlertSeveritySchema } from './alert.schema';
import { IdSchema } from './id.schema';
import { MetricNameSchema } from './metric-window.schema';
import { SliceDimensionSchema } from './slice.schema';

/**
 * The detector's rules file (DETECTOR_RULES_FILE, JSON or YAML). Everything is optional: the
 * detector's built-in defaults (see libs/detector-domain/README.md) apply to whatever a file
 * leaves out, a global entry replaces the default for its metric, and `projects.<id>` entries
 * replace the global one for that project only.
 */

const positive = z.number().positive({ error: 'must be a positive number' });
const fraction = z
  .number()
  .gt(0, { error: 'must be greater than 0' })
  .max(1, { error: 'must be at most 1' });

/** The metrics a control chart can watch: every per-window ratio and stat except traffic share. */
export const ChartMetricSchema = MetricNameSchema.exclude(['traffic_share', 'trace_count']);
export type ChartMetric = z.infer<typeof ChartMetricSchema>;

/**
 * How the smoothed value is compared with the baseline:
 * - `drop`: baseline − value ≥ limit (absolute, e.g. completion rate 0.05 = 5 points)
 * - `rise`: value − baseline ≥ limit (absolute)
 * - `ratio`: value ≥ limit × baseline (e.g. latency 1.5×)
 * - `level`: value ≥ limit (absolute level, baseline ignored, e.g. error rate 0.05)
 * - `interval_drop`: baseline − (the window's 95 % interval upper bound) ≥ limit: a drop the
 *   interval says is real (positive_share with its Wilson bound; never fires without a bound)
 */
export const ChartRuleKindSchema = z.enum(['drop', 'rise', 'ratio', 'level', 'interval_drop']);
export type ChartRuleKind = z.infer<typeof ChartRuleKindSchema>;

/** Chart metrics whose windows carry a 95 % interval (MetricWindow `<metric>_low`/`_high`). */
export const INTERVAL_METRICS: readonly ChartMetric[] = ['positive_share'];

export const ChartRuleSchema = z
  .strictObject({
    metric: ChartMetricSchema,
    kind: ChartRuleKindSchema,
    warning: positive,
    critical: positive,
    enabled: z.boolean().default(true),
  })
  .superRefine((rule, ctx) => {
    if (rule.critical < rule.warning) {
      ctx.addIssue({
        code: 'custom',
        path: ['critical'],
        message: `must be at least warning (${rule.warning}): critical is the larger deviation`,
      });
    }
    if (rule.kind === 'interval_drop' && !INTERVAL_METRICS.includes(rule.metric)) {
      ctx.addIssue({
        code: 'custom',
        path: ['kind'],
        message: `interval_drop needs a metric with an interval (${INTERVAL_METRICS.join(', ')})`,
      });
    }
    if (rule.kind === 'ratio' && rule.warning <= 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['warning'],
        message: 'a ratio limit must be greater than 1 (a multiple of the baseline)',
      });
    }
  });
export type ChartRule = z.infer<typeof ChartRuleSchema>;

/** "Completion down 10+ points within 10 minutes": trace-weighted completion vs baseline. */
export const FastPageRuleSchema = z.strictObject({
  enabled: z.boolean().default(true),
  metric: z.enum(['completion_rate', 'strong_completion_rate']).default('completion_rate'),
  /** Absolute drop that pages. */
  drop: fraction.default(0.1),
  /** Look-back over which windows are pooled, trace-weighted. */
  window_minutes: positive.default(10),
  severity: AlertSeveritySchema.default('critical'),
});
export type FastPageRule = z.infer<typeof FastPageRuleSchema>;

/** Slow trend on daily rollups: least-squares slope over the last days with a t-test. */
export const TrendRuleSchema = z
  .strictObject({
    metric: ChartMetricSchema,
    /** The bad direction: `down` for completion, `up` for latency, cost and errors. */
    direction: z.enum(['down', 'up']),
    /** Smallest relative change per week (of the fitted level) worth an alert: 0.01 = 1%/week. */
    min_weekly_change: fraction.default(0.01),
    /** Days in the regression window (the latest closed days). */
    window_days: z.number().int().min(3).max(90).default(21),
    /** Fewest closed days before the test runs. */
    min_days: z.number().int().min(3).max(90).default(7),
    severity: AlertSeveritySchema.default('warning'),
    enabled: z.boolean().default(true),
  })
  .superRefine((rule, ctx) => {
    if (rule.min_days > rule.window_days) {
      ctx.addIssue({
        code: 'custom',
        path: ['min_days'],
        message: `must be at most window_days (${rule.window_days})`,
      });
    }
  });
export type TrendRule = z.infer<typeof TrendRuleSchema>;

/** Traffic-mix drift per dimension: last hour vs the same hour of the week in past weeks. */
export const DriftRuleSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    dimensions: z
      .array(SliceDimensionSchema.exclude(['all']))
      .min(1)
      .default(['task_type', 'query_length_bucket', 'platform', 'user_type']),
    /** PSI at or above which the shift is reported (Evidently: 0.1 moderate, 0.25 significant). */
    psi_info: positive.default(0.1),
    psi_warning: positive.default(0.25),
    /** Severity of a shift at or above psi_warning (info unless a rules file says otherwise). */
    warning_severity: AlertSeveritySchema.default('info'),
    /** Past weeks of the same hour of the week used as baseline. */
    history_weeks: z.number().int().min(1).max(12).default(4),
    /** Fewest traces in the current hour (and in the baseline) before scoring. */
    min_traces: z.number().int().positive().default(100),
  })
  .superRefine((rule, ctx) => {
    if (rule.psi_warning < rule.psi_info) {
      ctx.addIssue({
        code: 'custom',
        path: ['psi_warning'],
        message: `must be at least psi_info (${rule.psi_info})`,
      });
    }
  });
export type DriftRule = z.infer<typeof DriftRuleSchema>;

/** Adversarial shift: the share of refused or safety-flagged traces grows against its baseline. */
export const AdversarialRuleSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Absolute rise of the flagged share over the last hour vs baseline that is reported. */
  rise: fraction.default(0.02),
  /** And the relative rise (current ≥ ratio × baseline) that must hold too. */
  ratio: positive.default(2),
  severity: AlertSeveritySchema.default('warning'),
  min_traces: z.number().int().positive().default(100),
});
export type AdversarialRule = z.infer<typeof AdversarialRuleSchema>;

/** Engine settings (the DETECTOR_* environment values are the defaults). */
export const DetectorSettingsSchema = z.strictObject({
  ewma_lambda: z
    .number()
    .gt(0, { error: 'must be greater than 0' })
    .max(1, { error: 'must be at most 1' })
    .optional(),
  warmup_windows: z.number().int().positive().optional(),
  min_samples: z.number().int().nonnegative().optional(),
  resolve_windows: z.number().int().positive().optional(),
});
export type DetectorSettings = z.infer<typeof DetectorSettingsSchema>;

const RuleSetFields = {
  settings: DetectorSettingsSchema.optional(),
  charts: z.array(ChartRuleSchema).optional(),
  fast_page: FastPageRuleSchema.optional(),
  trends: z.array(TrendRuleSchema).optional(),
  drift: DriftRuleSchema.optional(),
  adversarial: AdversarialRuleSchema.optional(),
};

function noDuplicateMetrics(
  set: { charts?: { metric: string }[]; trends?: { metric: string }[] },
  ctx: z.RefinementCtx,
): void {
  for (const key of ['charts', 'trends'] as const) {
    const seen = new Set<string>();
    set[key]?.forEach((rule, i) => {
      if (seen.has(rule.metric)) {
        ctx.addIssue({
          code: 'custom',
          path: [key, i, 'metric'],
          message: `duplicate rule for metric "${rule.metric}"`,
        });
      }
      seen.add(rule.metric);
    });
  }
}

export const DetectorRuleSetSchema = z.strictObject(RuleSetFields).superRefine(noDuplicateMetrics);
export type DetectorRuleSet = z.infer<typeof DetectorRuleSetSchema>;

export const DetectorRulesFileSchema = z
  .strictObject({
    ...RuleSetFields,
    /** Per-project overrides, merged over the global rules by metric. */
    projects: z.record(IdSchema, DetectorRuleSetSchema).optional(),
  })
  .superRefine(noDuplicateMetrics);
export type DetectorRulesFile = z.infer<typeof DetectorRulesFileSchema>;
export type DetectorRulesFileInput = z.input<typeof DetectorRulesFileSchema>;

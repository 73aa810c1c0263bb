import { z } from 'zod';
import { nonEmptyBoundedString } from './bounded-string';
import { IdSchema } from './id.schema';
import { Limits } from './limits';
import { AlertSeveritySchema } from './alert.schema';
import { MetricNameSchema } from './metric-window.schema';
import { SliceSchema } from './slice.schema';

/** Times in the policy file are ISO-8601 with a timezone, so people can read and edit them. */
const PolicyTimeSchema = z.iso.datetime({ offset: true });

/** What a silence matches: one metric, optionally narrowed to one slice and one project. */
export const SilenceMatchersSchema = z.strictObject({
  metric: MetricNameSchema,
  slice: SliceSchema.optional(),
  project_id: IdSchema.optional(),
});
export type SilenceMatchers = z.infer<typeof SilenceMatchersSchema>;

/** Mutes matching alerts in [starts_at, ends_at); `silence expire` sets ends_at to now. */
export const SilenceSchema = z
  .strictObject({
    id: IdSchema,
    matchers: SilenceMatchersSchema,
    starts_at: PolicyTimeSchema,
    ends_at: PolicyTimeSchema,
    reason: nonEmptyBoundedString(Limits.alertMessageMaxChars),
    created_by: nonEmptyBoundedString(Limits.nameMaxChars).optional(),
  })
  .superRefine((silence, ctx) => {
    if (Date.parse(silence.ends_at) < Date.parse(silence.starts_at)) {
      ctx.addIssue({ code: 'custom', path: ['ends_at'], message: 'must not be before starts_at' });
    }
  });
export type Silence = z.infer<typeof SilenceSchema>;

/** Alert fields an inhibition rule can require to be equal between source and target. */
export const InhibitEqualFieldSchema = z.enum(['project_id', 'metric', 'slice']);
export type InhibitEqualField = z.infer<typeof InhibitEqualFieldSchema>;

/** One side of an inhibition rule; an absent metric matches every metric. */
export const InhibitMatcherSchema = z.strictObject({
  severity: AlertSeveritySchema,
  metric: MetricNameSchema.optional(),
});
export type InhibitMatcher = z.infer<typeof InhibitMatcherSchema>;

/**
 * Alertmanager-style inhibition: while an alert matching `source` fires, alerts matching `target`
 * with the same values of every `equal` field are not sent.
 */
export const InhibitRuleSchema = z
  .strictObject({
    id: IdSchema,
    source: InhibitMatcherSchema,
    target: InhibitMatcherSchema,
    equal: z.array(InhibitEqualFieldSchema).max(InhibitEqualFieldSchema.options.length),
  })
  .superRefine((rule, ctx) => {
    if (
      rule.source.severity === rule.target.severity &&
      (rule.source.metric ?? null) === (rule.target.metric ?? null)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['target'],
        message: 'must differ from source (an alert would inhibit itself)',
      });
    }
  });
export type InhibitRule = z.infer<typeof InhibitRuleSchema>;

/** DESIGN: a critical inhibits the warning of the same series. */
export const DEFAULT_INHIBIT_RULES: readonly InhibitRule[] = [
  {
    id: 'critical-inhibits-warning',
    source: { severity: 'critical' },
    target: { severity: 'warning' },
    equal: ['project_id', 'metric', 'slice'],
  },
];

/**
 * The notifier's policy file (silences and inhibition rules in one place; written by
 * `agentmon silence add|expire`, read by the notifier). Without `inhibit_rules` the default rule
 * applies; an explicit empty list turns inhibition off.
 */
export const NotificationPolicySchema = z
  .strictObject({
    version: z.literal(1),
    silences: z.array(SilenceSchema).max(10_000).default([]),
    inhibit_rules: z
      .array(InhibitRuleSchema)
      .max(100)
      .default(() => DEFAULT_INHIBIT_RULES.map((rule) => ({ ...rule, equal: [...rule.equal] }))),
  })
  .superRefine((policy, ctx) => {
    for (const [list, items] of [
      ['silences', policy.silences],
      ['inhibit_rules', policy.inhibit_rules],
    ] as const) {
      const seen = new Set<string>();
      items.forEach((item, index) => {
        if (seen.has(item.id)) {
          ctx.addIssue({
            code: 'custom',
            path: [list, index, 'id'],
            message: `duplicate id "${item.id}"`,
          });
        }
        seen.add(item.id);
      });
    }
  });
export type NotificationPolicy = z.infer<typeof NotificationPolicySchema>;

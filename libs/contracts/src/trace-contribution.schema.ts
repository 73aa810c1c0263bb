import {
  TraceContributionSchema,
  type TraceContribution,
  type TraceSummary,
} from './trace-summary.schema';

export { TraceContributionSchema, type TraceContribution };

const CONTRIBUTION_FIELDS = Object.keys(
  TraceContributionSchema.shape,
) as (keyof TraceContribution)[];

/** The contribution of one summary, as the sessionizer puts it on the next revision. */
export function toTraceContribution(summary: TraceSummary): TraceContribution {
  const contribution = Object.fromEntries(
    CONTRIBUTION_FIELDS.map((field) => [field, summary[field]]),
  ) as TraceContribution;
  return { ...contribution, error_types: { ...summary.error_types } };
}

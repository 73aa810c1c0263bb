import {
  TraceContributionSchema,
  TraceSummarySchema,
  toTraceContribution,
} from '@agentmon/contracts';
import { makeTraceSummary } from '../make-trace-summary';

describe('TraceContributionSchema', () => {
  it('accepts the contribution of a valid summary', () => {
    const contribution = toTraceContribution(makeTraceSummary());
    expect(TraceContributionSchema.parse(contribution)).toEqual(contribution);
  });

  it('keeps exactly the schema fields (toTraceContribution and the schema agree)', () => {
    expect(Object.keys(toTraceContribution(makeTraceSummary())).sort()).toEqual(
      Object.keys(TraceContributionSchema.shape).sort(),
    );
  });

  it.each<[string, unknown, string]>([
    ['an unknown field', { trace_id: 'x' }, ''],
    ['a negative cost', { cost_usd: -1 }, 'cost_usd'],
    ['an empty slice tag', { task_type: '' }, 'task_type'],
  ])('rejects %s', (_label, patch, path) => {
    const result = TraceContributionSchema.safeParse({
      ...toTraceContribution(makeTraceSummary()),
      ...(patch as object),
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path.join('.')).toBe(path);
  });
});

describe('TraceSummarySchema.previous_contribution', () => {
  it.each<[string, unknown]>([
    ['absent', undefined],
    ['null', null],
    ['a contribution', toTraceContribution(makeTraceSummary({ rating: 'positive' }))],
  ])('accepts %s', (_label, previous) => {
    const summary = makeTraceSummary({ revision: 1 });
    const record =
      previous === undefined ? summary : { ...summary, previous_contribution: previous };
    expect(TraceSummarySchema.safeParse(record).success).toBe(true);
  });

  it('rejects an invalid previous contribution, naming the field', () => {
    const result = TraceSummarySchema.safeParse({
      ...makeTraceSummary({ revision: 1 }),
      previous_contribution: { ...toTraceContribution(makeTraceSummary()), step_count: -1 },
    });
    expect(result.error?.issues[0]?.path.join('.')).toBe('previous_contribution.step_count');
  });
});

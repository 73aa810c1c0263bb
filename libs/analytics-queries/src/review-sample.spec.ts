import { pickReviewTraces, type ReviewCandidate } from './review-sample';

function candidates(spec: Record<string, number>): ReviewCandidate[] {
  const out: ReviewCandidate[] = [];
  for (const [stratum, count] of Object.entries(spec)) {
    const [task, outcome] = stratum.split('/') as [string, 'failure' | 'success'];
    for (let i = 0; i < count; i += 1)
      out.push({ trace_id: `${task}-${outcome}-${i}`, task_type: task, outcome });
  }
  return out;
}

const strata = (picked: ReviewCandidate[]) => {
  const counts: Record<string, number> = {};
  for (const p of picked)
    counts[`${p.task_type}/${p.outcome}`] = (counts[`${p.task_type}/${p.outcome}`] ?? 0) + 1;
  return counts;
};

describe('pickReviewTraces', () => {
  it.each([
    [
      'every stratum represented before seconds',
      { 'a/success': 100, 'a/failure': 3, 'b/success': 50, 'rare/success': 1 },
      4,
      { 'a/failure': 1, 'a/success': 1, 'b/success': 1, 'rare/success': 1 },
    ],
    [
      'round robin fills up to the count',
      { 'a/success': 100, 'a/failure': 3, 'b/success': 50, 'rare/success': 1 },
      15,
      { 'a/failure': 3, 'a/success': 6, 'b/success': 5, 'rare/success': 1 },
    ],
    [
      'fewer candidates than wanted',
      { 'a/success': 2, 'b/failure': 1 },
      15,
      { 'a/success': 2, 'b/failure': 1 },
    ],
    ['nothing to pick', {}, 10, {}],
  ])('%s', (_name, spec, count, expected) => {
    expect(strata(pickReviewTraces(candidates(spec), count, 'seed'))).toEqual(expected);
  });

  it('is deterministic whatever the input order, and changes with the seed', () => {
    const all = candidates({ 'a/success': 40, 'a/failure': 10, 'b/success': 40 });
    const one = pickReviewTraces(all, 12, 'week-1').map((p) => p.trace_id);
    const shuffled = [...all].reverse();
    expect(pickReviewTraces(shuffled, 12, 'week-1').map((p) => p.trace_id)).toEqual(one);
    expect(pickReviewTraces(all, 12, 'week-2').map((p) => p.trace_id)).not.toEqual(one);
    expect(new Set(one).size).toBe(12);
  });
});

import {
  TraceSummarySchema,
  type FeedbackEventType,
  type TraceEvent,
  type TraceSummary,
} from '@agentmon/contracts';
import { makeFeedbackEvent, makeTraceEndEvent, makeTraceSummary } from '@agentmon/testing';
import { reviseTraceSummary } from './revise-trace-summary';

const NO_ERRORS = makeTraceSummary().error_types;
// A strongly completed, unsampled success with no feedback yet.
const previous = (partial: Partial<TraceSummary> = {}) =>
  makeTraceSummary({ trace_id: 'trace-1', accepted: false, ...partial }, { seed: 1 });
const event = <K extends FeedbackEventType>(
  type: K,
  partial: Partial<Extract<TraceEvent, { type: K }>> = {},
) => makeFeedbackEvent(type, { trace_id: 'trace-1', ...partial }, { seed: type });

function revise(prev: TraceSummary, events: TraceEvent[]): TraceSummary | null {
  const revised = reviseTraceSummary(prev, events);
  if (revised !== null) expect(TraceSummarySchema.parse(revised)).toEqual(revised);
  return revised;
}

describe('reviseTraceSummary: each feedback type', () => {
  it.each<[string, TraceEvent, Partial<TraceSummary>]>([
    [
      'negative rating',
      event('rating', { rating: 'negative' }),
      { rating: 'negative', strong_completion: false, sampled: true, sampling_rule: 'failure' },
    ],
    [
      'positive rating',
      event('rating', { rating: 'positive' }),
      { rating: 'positive', strong_completion: true, sampled: false },
    ],
    [
      'user correction',
      event('user_correction'),
      { corrected: true, strong_completion: false, sampled: false, sampling_rule: 'unsampled' },
    ],
    [
      'escalation',
      event('escalation'),
      { escalated: true, strong_completion: false, sampled: true, sampling_rule: 'failure' },
    ],
    [
      'hallucination caught',
      event('hallucination_caught'),
      {
        hallucination_caught: true,
        error_types: { ...NO_ERRORS, hallucination_caught: 1 },
        error_count: 0,
        sampling_rule: 'failure',
      },
    ],
    [
      'abandonment',
      event('abandonment'),
      {
        abandoned: true,
        error_types: { ...NO_ERRORS, user_abandonment: 1 },
        sampling_rule: 'failure',
      },
    ],
    [
      'safety flag',
      event('safety_flag'),
      { safety_flagged: true, sampled: true, sampling_rule: 'safety_flagged' },
    ],
    ['output copied', event('output_copied'), { output_copied: true, sampled: false }],
    ['follow-up', event('follow_up'), { follow_up: true, sampled: false }],
    ['accepted', event('accepted'), { accepted: true, sampled: false }],
  ])('%s', (_label, late, expected) => {
    const revised = revise(previous(), [late]);
    expect(revised).toMatchObject({ ...expected, revision: 1, flags: ['late_revision'] });
  });
});

describe('reviseTraceSummary: idempotence and rules', () => {
  it('returns null when nothing changes (a duplicate or repeated signal)', () => {
    const once = revise(previous(), [event('user_correction')])!;
    expect(revise(once, [event('user_correction')])).toBeNull();
    expect(revise(previous({ rating: 'positive' }), [event('rating')])).toBeNull();
    expect(revise(previous(), [])).toBeNull();
  });

  it('ignores late trace_start / trace_end events', () => {
    expect(revise(previous(), [makeTraceEndEvent({ trace_id: 'trace-1' })])).toBeNull();
  });

  it('counts revisions up and keeps closed_at and flags in schema order', () => {
    const first = revise(previous({ flags: ['missing_trace_end'] }), [event('follow_up')])!;
    const second = revise(first, [event('output_copied')])!;
    expect(second).toMatchObject({
      revision: 2,
      closed_at: previous().closed_at,
      flags: ['missing_trace_end', 'late_revision'],
    });
  });

  it('applies several events in timestamp order: the last rating wins', () => {
    const revised = revise(previous(), [
      event('rating', { rating: 'positive', timestamp: 3 * 1e12 }),
      event('rating', { rating: 'negative', timestamp: 2 * 1e12 }),
    ]);
    expect(revised?.rating).toBe('positive');
  });

  it('keeps the sampling decision of a trace that already was a failure', () => {
    const failed = previous({
      completed: false,
      strong_completion: false,
      sampled: true,
      sampling_rule: 'failure',
    });
    expect(revise(failed, [event('safety_flag')])).toMatchObject({
      sampled: true,
      sampling_rule: 'failure',
    });
  });

  it('upgrades a randomly kept success that turns into a failure', () => {
    const kept = previous({ sampled: true, sampling_rule: 'random_success' });
    expect(revise(kept, [event('escalation')])).toMatchObject({ sampling_rule: 'failure' });
  });

  it('keeps the decision when the success stays a success', () => {
    const kept = previous({ sampled: true, sampling_rule: 'first_session' });
    expect(revise(kept, [event('accepted')])).toMatchObject({ sampling_rule: 'first_session' });
  });

  it('never makes strong a trace that did not complete', () => {
    const failed = previous({ completed: false, strong_completion: false, rating: 'negative' });
    expect(revise(failed, [event('rating', { rating: 'positive' })])).toMatchObject({
      rating: 'positive',
      strong_completion: false,
    });
  });
});

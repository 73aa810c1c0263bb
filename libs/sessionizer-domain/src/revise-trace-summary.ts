import type { SamplingRule, TraceEvent, TraceSummary } from '@agentmon/contracts';
import { sortFlags } from './build-trace-summary';
import { applyFeedback, isStrongCompletion, type FeedbackState } from './feedback-state';
import { isFailure } from './sampling-policy';

const FEEDBACK_FIELDS = [
  'rating',
  'corrected',
  'escalated',
  'safety_flagged',
  'abandoned',
  'hallucination_caught',
  'accepted',
  'output_copied',
  'follow_up',
] as const satisfies readonly (keyof FeedbackState)[];

/**
 * Applies feedback that arrived after the trace closed to its emitted summary and returns the
 * next revision, or null when nothing changed (a redelivered or repeated signal), so replays
 * never produce new revisions. Events are applied in timestamp order; the last rating wins.
 *
 * - Late trace_start / trace_end events are ignored: the span-derived window and completion
 *   were settled at close (the caller may count them to tune rootGraceMs).
 * - error_count stays the number of ERROR spans; the trace-level error types
 *   (user_abandonment, hallucination_caught) are set from the feedback.
 * - closed_at is kept: it is when the trace closed, and moving it could move the trace between
 *   time windows downstream.
 */
export function reviseTraceSummary(
  previous: TraceSummary,
  lateEvents: readonly TraceEvent[],
): TraceSummary | null {
  const ordered = [...lateEvents].sort((a, b) => a.timestamp - b.timestamp);
  const before = pickFeedback(previous);
  const after = ordered.reduce(applyFeedback, before);
  if (FEEDBACK_FIELDS.every((field) => before[field] === after[field])) return null;

  const revised: TraceSummary = {
    ...previous,
    ...after,
    revision: previous.revision + 1,
    error_types: {
      ...previous.error_types,
      user_abandonment: after.abandoned ? Math.max(1, previous.error_types.user_abandonment) : 0,
      hallucination_caught: after.hallucination_caught
        ? Math.max(1, previous.error_types.hallucination_caught)
        : 0,
    },
    strong_completion: isStrongCompletion({ ...previous, ...after }),
    flags: sortFlags([...previous.flags, 'late_revision']),
  };
  return { ...revised, ...revisedSampling(previous, revised) };
}

function pickFeedback(summary: TraceSummary): FeedbackState {
  const state = {} as Record<keyof FeedbackState, unknown>;
  for (const field of FEEDBACK_FIELDS) state[field] = summary[field];
  return state as FeedbackState;
}

/**
 * The sampling decision stands unless the revision makes the trace a failure or safety-flagged,
 * which DESIGN keeps at 100%; then the rule is upgraded. The spans may no longer be available
 * to store (they were dropped at close if unsampled): the summary then says "sampled" for a
 * trace whose full spans the app has to fetch from wherever it still can, or mark as missing.
 */
function revisedSampling(
  previous: TraceSummary,
  revised: TraceSummary,
): Pick<TraceSummary, 'sampled' | 'sampling_rule'> {
  const unchanged = { sampled: previous.sampled, sampling_rule: previous.sampling_rule };
  const upgrade = (rule: SamplingRule) => ({ sampled: true, sampling_rule: rule });
  if (isFailure(revised)) return isFailure(previous) ? unchanged : upgrade('failure');
  // Not a failure, so the previous rule ranked below safety_flagged (or was it already).
  if (revised.safety_flagged && !previous.safety_flagged) return upgrade('safety_flagged');
  return unchanged;
}

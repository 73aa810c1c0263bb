import type { Rating, TraceEvent, TraceSummary } from '@agentmon/contracts';

/** The outcome fields user feedback can change, at close or later in a revision. */
export type FeedbackState = Pick<
  TraceSummary,
  | 'rating'
  | 'corrected'
  | 'escalated'
  | 'safety_flagged'
  | 'abandoned'
  | 'hallucination_caught'
  | 'accepted'
  | 'output_copied'
  | 'follow_up'
>;

export const NO_FEEDBACK: Readonly<FeedbackState> = Object.freeze({
  rating: 'none' as Rating,
  corrected: false,
  escalated: false,
  safety_flagged: false,
  abandoned: false,
  hallucination_caught: false,
  accepted: false,
  output_copied: false,
  follow_up: false,
});

/**
 * Applies one event; trace_start / trace_end change nothing here. Signals are sticky (once
 * corrected, always corrected), except the rating: the user may change their mind, so the
 * last one applied wins; callers apply events in timestamp order.
 */
export function applyFeedback(state: FeedbackState, event: TraceEvent): FeedbackState {
  switch (event.type) {
    case 'rating':
      return { ...state, rating: event.rating };
    case 'user_correction':
      return { ...state, corrected: true };
    case 'escalation':
      return { ...state, escalated: true };
    case 'safety_flag':
      return { ...state, safety_flagged: true };
    case 'abandonment':
      return { ...state, abandoned: true };
    case 'hallucination_caught':
      return { ...state, hallucination_caught: true };
    case 'accepted':
      return { ...state, accepted: true };
    case 'output_copied':
      return { ...state, output_copied: true };
    case 'follow_up':
      return { ...state, follow_up: true };
    case 'trace_start':
    case 'trace_end':
      return state;
  }
}

/** DESIGN: completed, not corrected, not escalated, not rated negative. */
export function isStrongCompletion(
  t: Pick<TraceSummary, 'completed' | 'corrected' | 'escalated' | 'rating'>,
): boolean {
  return t.completed && !t.corrected && !t.escalated && t.rating !== 'negative';
}

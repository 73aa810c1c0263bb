import type { TraceSummary } from '@agentmon/contracts';

/**
 * DESIGN keeps 100% of failures and safety-flagged sessions. A trace that closed as an
 * unsampled success and is revised into one of those (negative rating, escalation,
 * hallucination caught, safety flag, a late failing span or trace_end) must now keep its spans:
 * the app moves them from short-lived storage into the sampled traces. True exactly then.
 */
export function needsSpanPromotion(
  previous: Pick<TraceSummary, 'sampled'>,
  revised: Pick<TraceSummary, 'sampled'>,
): boolean {
  return !previous.sampled && revised.sampled;
}

export type LateSpanFate = 'promote' | 'expired' | 'none';

/**
 * What to do with the spans of a revised trace: promote them while they are still in
 * short-lived storage (the revising record was received within `lateSpansWindowMs` of the
 * trace's close, SESSIONIZER_LATE_SPANS_WINDOW_S), else they are gone ('expired': the summary
 * must then not claim its spans are kept). Record time on both sides, so replays agree.
 */
export function lateSpanFate(
  previous: Pick<TraceSummary, 'sampled' | 'closed_at'>,
  revised: Pick<TraceSummary, 'sampled'>,
  revisingRecordReceivedAt: number,
  lateSpansWindowMs: number,
): LateSpanFate {
  if (!needsSpanPromotion(previous, revised)) return 'none';
  return revisingRecordReceivedAt - previous.closed_at <= lateSpansWindowMs ? 'promote' : 'expired';
}

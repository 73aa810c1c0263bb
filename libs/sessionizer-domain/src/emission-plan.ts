import type { Span, TraceEvent, TraceSummary } from '@agentmon/contracts';
import { buildTraceSummaryWithDiagnostics, isFeedbackOnly } from './build-trace-summary';
import type { ClosedTrace, LateRecord } from './closed-trace';
import type { PriceTable } from './price-table';
import { resolveTraceContext } from './resolve-trace-context';
import { reviseTraceSummary } from './revise-trace-summary';
import type { TraceSampler } from './sampling-policy';

export interface TraceKey {
  projectId: string;
  traceId: string;
}

/** What the sessionizer has to write for one flush cycle, and what it only counts. */
export interface EmissionPlan {
  /** Traces seen for the first time: they become revision 0. */
  fresh: ClosedTrace[];
  /** Stored summaries revised by late records (late feedback, a replayed trace's events). */
  revisions: TraceSummary[];
  /** Feedback events whose trace is not (or no longer) remembered: counted, not invented. */
  orphanEvents: number;
  /** Spans that arrived after their trace was emitted. */
  lateSpans: number;
}

/** Late records (and closed traces already emitted before) gathered per trace. */
interface RevisableTrace extends TraceKey {
  events: TraceEvent[];
  spans: number;
}

export const traceKeyId = (item: TraceKey): string => `${item.projectId}\u0000${item.traceId}`;

/** Every trace whose stored summary the cycle needs: one lookup for the whole cycle. */
export function tracesToLookUp(
  closed: readonly ClosedTrace[],
  late: readonly LateRecord[],
): TraceKey[] {
  const keys = new Map<string, TraceKey>();
  for (const item of [...closed, ...late])
    keys.set(traceKeyId(item), { projectId: item.projectId, traceId: item.traceId });
  return [...keys.values()];
}

/**
 * Decides what a cycle emits. A trace already emitted (its records replayed after a crash, or
 * stragglers after its memory was evicted) is never emitted again as a partial revision 0: its
 * events, like late feedback, revise the stored summary; feedback with no stored trace is counted.
 */
export function planEmission(
  closed: readonly ClosedTrace[],
  late: readonly LateRecord[],
  stored: ReadonlyMap<string, TraceSummary | null>,
): EmissionPlan {
  const revisable = new Map<string, RevisableTrace>();
  const addRevisable = (key: TraceKey, events: readonly TraceEvent[], spans: number) => {
    const id = traceKeyId(key);
    const entry = revisable.get(id) ?? { ...key, events: [], spans: 0 };
    entry.events.push(...events);
    entry.spans += spans;
    revisable.set(id, entry);
  };
  for (const item of late)
    addRevisable(
      item,
      item.record.kind === 'event' ? [item.record.event] : [],
      item.record.kind === 'span' ? 1 : 0,
    );
  const plan: EmissionPlan = { fresh: [], revisions: [], orphanEvents: 0, lateSpans: 0 };
  for (const trace of closed) {
    if (stored.get(traceKeyId(trace))) addRevisable(trace, trace.events, trace.spans.length);
    else if (isFeedbackOnly(trace)) plan.orphanEvents += trace.events.length;
    else plan.fresh.push(trace);
  }
  for (const group of revisable.values()) {
    plan.lateSpans += group.spans;
    const before = stored.get(traceKeyId(group));
    if (!before) plan.orphanEvents += group.events.length;
    else {
      const revised = reviseTraceSummary(before, group.events);
      if (revised) plan.revisions.push(revised);
    }
  }
  return plan;
}

/** The user of each fresh trace, for the session-number lookup. */
export function usersOf(fresh: readonly ClosedTrace[]): (TraceKey & { userId: string | null })[] {
  return fresh.map((trace) => ({
    projectId: trace.projectId,
    traceId: trace.traceId,
    userId: resolveTraceContext(trace.events).user_id ?? null,
  }));
}

export interface BuiltSummaries {
  summaries: TraceSummary[];
  sampledSpans: { projectId: string; spans: readonly Span[] }[];
  /** Closed traces by close reason (for the app's counters). */
  reasons: Record<string, number>;
  unpricedModels: Set<string>;
}

/** Revision 0 of every fresh trace, with the sampling decision and the spans to keep. */
export function buildSummaries(
  fresh: readonly ClosedTrace[],
  sessionNumbers: readonly (number | null)[],
  context: { now: number; sampler: TraceSampler; prices: PriceTable },
): BuiltSummaries {
  const built: BuiltSummaries = {
    summaries: [],
    sampledSpans: [],
    reasons: {},
    unpricedModels: new Set(),
  };
  fresh.forEach((trace, index) => {
    const result = buildTraceSummaryWithDiagnostics(
      trace,
      { sessionNumber: sessionNumbers[index] ?? null, now: context.now, sampler: context.sampler },
      context.prices,
    );
    built.summaries.push(result.summary);
    result.diagnostics.unpricedModels.forEach((model) => built.unpricedModels.add(model));
    if (result.summary.sampled)
      built.sampledSpans.push({ projectId: trace.projectId, spans: trace.spans });
    built.reasons[trace.closedReason] = (built.reasons[trace.closedReason] ?? 0) + 1;
  });
  return built;
}

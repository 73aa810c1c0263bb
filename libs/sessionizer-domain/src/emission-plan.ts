import {
  toTraceContribution,
  type Span,
  type SpansTopicRecord,
  type TraceEvent,
  type TraceSummary,
} from '@agentmon/contracts';
import { buildTraceSummaryWithDiagnostics, isFeedbackOnly } from './build-trace-summary';
import type { ClosedTrace, LateRecord } from './closed-trace';
import { lateSpanFate, type LateSpanFate } from './late-promotion';
import type { PriceTable } from './price-table';
import { resolveTraceContext } from './resolve-trace-context';
import { reviseTrace, type RevisionBasis } from './revise-trace-summary';
import { countsTowardSuccessFloor, samplingStratum, type SamplingPolicy } from './sampling-policy';

export interface TraceKey {
  projectId: string;
  traceId: string;
}

/** A stored summary revised by records that came after its trace was emitted. */
export interface PlannedRevision {
  summary: TraceSummary;
  /** Store this in place of the previous basis. */
  basis: RevisionBasis;
  /** Late spans this revision counted. */
  newSpans: Span[];
  /** 'promote': the trace became a kept failure, its short-lived spans join the sampled ones. */
  spanFate: LateSpanFate;
  /** Models of the new spans priced with the table's default. */
  unpricedModels: string[];
}

/** What the sessionizer has to write for one flush cycle, and what it only counts. */
export interface EmissionPlan {
  /** Traces seen for the first time: they become revision 0. */
  fresh: ClosedTrace[];
  revisions: PlannedRevision[];
  /** Feedback events whose trace is not (or no longer) remembered: counted, not invented. */
  orphanEvents: number;
  /** Spans whose trace is not (or no longer) remembered: counted, they cannot revise anything. */
  orphanSpans: number;
}

export interface EmissionContext {
  prices: PriceTable;
  /** SESSIONIZER_LATE_SPANS_WINDOW_S: how long unsampled spans wait for a late failure. */
  lateSpansWindowMs: number;
}

/** Records (late or replayed) gathered per trace. */
interface RevisableTrace extends TraceKey {
  spans: Span[];
  events: TraceEvent[];
  /** Latest record time among them: decides whether short-lived spans are still there. */
  receivedAt: number;
}

export const traceKeyId = (item: TraceKey): string => `${item.projectId}\u0000${item.traceId}`;

/** Every trace whose stored basis the cycle needs: one lookup for the whole cycle. */
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
 * records, like late ones, revise the stored summary, and records already counted change nothing
 * (the basis remembers their digests). Every revision carries the contribution it replaces, so
 * the aggregator moves it instead of counting the trace twice.
 */
export function planEmission(
  closed: readonly ClosedTrace[],
  late: readonly LateRecord[],
  stored: ReadonlyMap<string, RevisionBasis | null>,
  context: EmissionContext,
): EmissionPlan {
  const revisable = new Map<string, RevisableTrace>();
  const add = (key: TraceKey, records: readonly SpansTopicRecord[], receivedAt: number) => {
    const id = traceKeyId(key);
    const entry = revisable.get(id) ?? { ...key, spans: [], events: [], receivedAt };
    for (const record of records) {
      if (record.kind === 'span') entry.spans.push(record.span);
      else entry.events.push(record.event);
    }
    entry.receivedAt = Math.max(entry.receivedAt, receivedAt);
    revisable.set(id, entry);
  };
  for (const item of late) add(item, [item.record], item.record.received_at);
  const plan: EmissionPlan = { fresh: [], revisions: [], orphanEvents: 0, orphanSpans: 0 };
  for (const trace of closed) {
    if (stored.get(traceKeyId(trace))) {
      const entry = revisable.get(traceKeyId(trace)) ?? {
        projectId: trace.projectId,
        traceId: trace.traceId,
        spans: [],
        events: [],
        receivedAt: trace.closedAt,
      };
      entry.spans.push(...trace.spans);
      entry.events.push(...trace.events);
      entry.receivedAt = Math.max(entry.receivedAt, trace.closedAt);
      revisable.set(traceKeyId(trace), entry);
    } else if (isFeedbackOnly(trace)) plan.orphanEvents += trace.events.length;
    else plan.fresh.push(trace);
  }
  for (const group of revisable.values()) {
    const basis = stored.get(traceKeyId(group));
    if (!basis) {
      plan.orphanEvents += group.events.length;
      plan.orphanSpans += group.spans.length;
      continue;
    }
    const revised = reviseTrace(
      basis,
      { spans: group.spans, events: group.events },
      context.prices,
    );
    if (!revised) continue;
    const spanFate = lateSpanFate(
      basis.summary,
      revised.summary,
      group.receivedAt,
      context.lateSpansWindowMs,
    );
    // Spans gone from short-lived storage: the summary must not claim they are kept.
    const sampling =
      spanFate === 'expired' ? { sampled: false, sampling_rule: 'unsampled' as const } : {};
    const summary: TraceSummary = {
      ...revised.summary,
      ...sampling,
      previous_contribution: toTraceContribution(basis.summary),
    };
    plan.revisions.push({
      summary,
      basis: { ...revised.basis, summary },
      newSpans: revised.newSpans,
      spanFate,
      unpricedModels: revised.unpricedModels,
    });
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

/**
 * A success whose sampling depends on its stratum's shared counter (project, task type, hour):
 * the app claims it atomically, once per trace, and passes the count read back to buildSummaries.
 * `countsAnyway`: kept by another rule, it only adds to the count.
 */
export interface FloorClaim extends TraceKey {
  stratum: string;
  countsAnyway: boolean;
}

export interface BuiltSummary {
  summary: TraceSummary;
  basis: RevisionBasis;
  /** All the trace's spans: to the sampled spans when sampled, else to short-lived storage. */
  spans: readonly Span[];
}

export interface BuiltSummaries {
  built: BuiltSummary[];
  /** Closed traces by close reason (for the app's counters). */
  reasons: Record<string, number>;
  unpricedModels: Set<string>;
}

export interface SummaryContext {
  sampler: SamplingPolicy;
  prices: PriceTable;
}

/** The floor claims a cycle's fresh traces need (none when the floor is off). */
export function floorClaims(
  fresh: readonly ClosedTrace[],
  sessionNumbers: readonly (number | null)[],
  context: SummaryContext,
): FloorClaim[] {
  const claims: FloorClaim[] = [];
  fresh.forEach((trace, index) => {
    const { summary } = buildTraceSummaryWithDiagnostics(
      trace,
      { sessionNumber: sessionNumbers[index] ?? null, sampler: context.sampler },
      context.prices,
    );
    const needsReading = context.sampler.needsFloorReading(summary);
    const countsAnyway =
      !needsReading &&
      context.sampler.config.minSuccessesPerTaskType > 0 &&
      countsTowardSuccessFloor(summary, {
        sampled: summary.sampled,
        rule: summary.sampling_rule,
      });
    if (needsReading || countsAnyway)
      claims.push({
        projectId: trace.projectId,
        traceId: trace.traceId,
        stratum: samplingStratum(summary).key,
        countsAnyway,
      });
  });
  return claims;
}

/** Revision 0 of every fresh trace, with the sampling decision (floor readings applied). */
export function buildSummaries(
  fresh: readonly ClosedTrace[],
  sessionNumbers: readonly (number | null)[],
  floorReadings: ReadonlyMap<string, number>,
  context: SummaryContext,
): BuiltSummaries {
  const result: BuiltSummaries = { built: [], reasons: {}, unpricedModels: new Set() };
  fresh.forEach((trace, index) => {
    const built = buildTraceSummaryWithDiagnostics(
      trace,
      {
        sessionNumber: sessionNumbers[index] ?? null,
        sampler: context.sampler,
        keptSuccessesInStratum: floorReadings.get(traceKeyId(trace)),
      },
      context.prices,
    );
    result.built.push({ summary: built.summary, basis: built.basis, spans: trace.spans });
    built.diagnostics.unpricedModels.forEach((model) => result.unpricedModels.add(model));
    result.reasons[trace.closedReason] = (result.reasons[trace.closedReason] ?? 0) + 1;
  });
  return result;
}

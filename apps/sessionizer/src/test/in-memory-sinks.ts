import type { Span, TraceSummary } from '@agentmon/contracts';
import type { FloorClaim, RevisionBasis } from '@agentmon/sessionizer-domain';
import type {
  SessionizerOutput,
  SessionizerSinks,
  TraceKey,
} from '../ports/sessionizer-sinks.port';

/** The steps of a real emit, in the adapter's order: a crash can be injected after any of them. */
export const EMIT_STEPS = ['clickhouse', 'promotions', 'topic', 'bases'] as const;
export type EmitStep = (typeof EMIT_STEPS)[number];

/** The sinks port over plain maps, for stage specs (same contract as the real adapter). */
export class InMemorySinks implements SessionizerSinks {
  /** Everything published on the traces topic, in order (duplicates included). */
  readonly emitted: TraceSummary[] = [];
  /** ClickHouse's trace_summaries after merges: one row per trace, the highest revision. */
  readonly rows = new Map<string, TraceSummary>();
  readonly spans = new Map<string, Span[]>();
  readonly recentSpans = new Map<string, Span[]>();
  readonly bases = new Map<string, RevisionBasis>();
  private readonly userSessions = new Map<string, string[]>();
  private readonly floor = new Map<string, Map<string, number>>();
  failuresLeft = 0;
  onFailure?: () => void;
  /** Simulates a crash: the next emit stops (throws) right after this step. */
  crashAfter?: EmitStep;

  async sessionNumbers(
    traces: readonly (TraceKey & { userId: string | null })[],
  ): Promise<(number | null)[]> {
    return traces.map((trace) => {
      if (trace.userId === null) return null;
      const key = `${trace.projectId}/${trace.userId}`;
      const seen = this.userSessions.get(key) ?? [];
      if (!seen.includes(trace.traceId)) seen.push(trace.traceId);
      this.userSessions.set(key, seen);
      return seen.indexOf(trace.traceId) + 1;
    });
  }

  async previousBases(traces: readonly TraceKey[]): Promise<(RevisionBasis | null)[]> {
    return traces.map((trace) => this.bases.get(`${trace.projectId}/${trace.traceId}`) ?? null);
  }

  async claimSuccessFloor(claims: readonly FloorClaim[]): Promise<number[]> {
    return claims.map((claim) => {
      const stratum = this.floor.get(claim.stratum) ?? new Map([['#kept', 0]]);
      this.floor.set(claim.stratum, stratum);
      const before = stratum.get(claim.traceId);
      if (before !== undefined) return before;
      const kept = stratum.get('#kept')!;
      stratum.set(claim.traceId, kept);
      // The real script counts up to the floor; tests run with floors far above their traffic.
      stratum.set('#kept', kept + 1);
      return kept;
    });
  }

  async emit(output: SessionizerOutput): Promise<void> {
    if (this.failuresLeft > 0) {
      this.failuresLeft -= 1;
      this.onFailure?.();
      throw new Error('clickhouse unavailable');
    }
    const crash = (step: EmitStep) => {
      if (this.crashAfter !== step) return;
      this.crashAfter = undefined;
      throw new Error(`crashed after ${step}`);
    };
    for (const summary of output.summaries) {
      const id = `${summary.project_id}/${summary.trace_id}`;
      if ((this.rows.get(id)?.revision ?? -1) <= summary.revision) this.rows.set(id, summary);
    }
    for (const { spans } of output.sampledSpans) add(this.spans, spans);
    for (const { spans } of output.recentSpans) add(this.recentSpans, spans);
    crash('clickhouse');
    for (const trace of output.promotions)
      add(this.spans, this.recentSpans.get(trace.traceId) ?? []);
    crash('promotions');
    this.emitted.push(...output.summaries);
    crash('topic');
    for (const basis of output.bases) {
      const id = `${basis.summary.project_id}/${basis.summary.trace_id}`;
      if ((this.bases.get(id)?.summary.revision ?? -1) <= basis.summary.revision)
        this.bases.set(id, basis);
    }
    crash('bases');
  }
}

/** Adds spans by span id (ClickHouse's ReplacingMergeTree collapses identical rows the same way). */
function add(into: Map<string, Span[]>, spans: readonly Span[]): void {
  for (const span of spans) {
    const list = into.get(span.trace_id) ?? [];
    if (!list.some((s) => s.span_id === span.span_id)) list.push(span);
    into.set(span.trace_id, list);
  }
}

import type { Span, TraceSummary } from '@agentmon/contracts';
import type { FloorClaim, RevisionBasis, TraceKey } from '@agentmon/sessionizer-domain';

export type { TraceKey };

/** Everything one flush cycle makes durable. */
export interface SessionizerOutput {
  /** New summaries and revisions: ClickHouse, then the traces topic. */
  summaries: readonly TraceSummary[];
  /** What each summary's next revision needs (remembered for the feedback window). */
  bases: readonly RevisionBasis[];
  /** Spans of kept traces (and late spans of kept traces). */
  sampledSpans: readonly { projectId: string; spans: readonly Span[] }[];
  /** Spans of traces not kept, waiting for a late failure (short-lived storage). */
  recentSpans: readonly { projectId: string; closedAt: number; spans: readonly Span[] }[];
  /** Traces that became kept failures: their short-lived spans join the kept ones. */
  promotions: readonly TraceKey[];
}

/**
 * Everything the sessionizer stage reads from or writes to the outside world. The adapter
 * (ClickHouse, Kafka, Redis) lives in ../sinks; specs use the in-memory implementation in ../test.
 * `emit` throws PermanentError (from @agentmon/stream-runtime) when a sink refuses the data
 * itself, so the runtime dead-letters those traces and stores the rest.
 */
export interface SessionizerSinks {
  /** Which session of its user each trace is (idempotent per trace); null without a user. */
  sessionNumbers(
    traces: readonly (TraceKey & { userId: string | null })[],
  ): Promise<(number | null)[]>;
  /** The revision basis of each emitted trace; null when unknown or expired. */
  previousBases(traces: readonly TraceKey[]): Promise<(RevisionBasis | null)[]>;
  /** Successes kept before each claiming trace in its stratum (idempotent per trace). */
  claimSuccessFloor(claims: readonly FloorClaim[]): Promise<number[]>;
  /** Durably emits the cycle's output; see SessionizerOutput. */
  emit(output: SessionizerOutput): Promise<void>;
}

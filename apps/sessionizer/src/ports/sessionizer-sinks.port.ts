import type { Span, TraceSummary } from '@agentmon/contracts';
import type { TraceKey } from '@agentmon/sessionizer-domain';

export type { TraceKey };

/**
 * Everything the sessionizer pipeline reads from or writes to the outside world. The adapter
 * (ClickHouse, Kafka, Redis) lives in ../sinks; specs use the in-memory implementation in ../test.
 * `emit` throws PermanentError (from @agentmon/stream-runtime) when a sink refuses the data
 * itself, so the runtime dead-letters those traces and stores the rest.
 */
export interface SessionizerSinks {
  /** Which session of its user each trace is (idempotent per trace); null without a user. */
  sessionNumbers(
    traces: readonly (TraceKey & { userId: string | null })[],
  ): Promise<(number | null)[]>;
  /** The last emitted summary of each trace, for late feedback; null when unknown or expired. */
  previousSummaries(traces: readonly TraceKey[]): Promise<(TraceSummary | null)[]>;
  /** Durably emits: sampled spans and all summaries to ClickHouse, summaries to the traces topic, summaries remembered for revisions. */
  emit(output: {
    summaries: readonly TraceSummary[];
    sampledSpans: readonly { projectId: string; spans: readonly Span[] }[];
  }): Promise<void>;
}

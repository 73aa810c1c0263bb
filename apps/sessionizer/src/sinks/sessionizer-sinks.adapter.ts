import { Span, Topics, TraceSummary } from '@agentmon/contracts';
import type { TopicProducer } from '@agentmon/kafka';
import type { ClickHouseTableSink } from '@agentmon/stream-runtime';
import type { SessionizerSinks, TraceKey } from '../ports/sessionizer-sinks.port';
import { SpanRow, toSpanRow } from './span-rows';
import { SummaryRow, toSummaryRow } from './summary-rows';
import type { SummaryStore } from './summary-store';
import type { UserSessionRegistry } from './user-session-registry';

/** The real sinks: ClickHouse (spans of sampled traces, every summary), Kafka, Redis. */
export class SessionizerSinksAdapter implements SessionizerSinks {
  constructor(
    private readonly spanTable: ClickHouseTableSink<SpanRow>,
    private readonly summaryTable: ClickHouseTableSink<SummaryRow>,
    private readonly producer: TopicProducer,
    private readonly summaries: SummaryStore,
    private readonly sessions: UserSessionRegistry,
  ) {}

  sessionNumbers(
    traces: readonly (TraceKey & { userId: string | null })[],
  ): Promise<(number | null)[]> {
    return this.sessions.sessionNumbers(traces);
  }

  previousSummaries(traces: readonly TraceKey[]): Promise<(TraceSummary | null)[]> {
    return this.summaries.getMany(traces);
  }

  /**
   * Storage first, then the topic, then the revision memory: a summary downstream can count is
   * always queryable, and a crash in between replays into the same rows (idempotent sinks).
   */
  async emit(output: {
    summaries: readonly TraceSummary[];
    sampledSpans: readonly { projectId: string; spans: readonly Span[] }[];
  }): Promise<void> {
    const spanRows = output.sampledSpans.flatMap(({ projectId, spans }) =>
      spans.map((span) => toSpanRow(projectId, span)),
    );
    await Promise.all([
      this.spanTable.insert(spanRows),
      this.summaryTable.insert(output.summaries.map(toSummaryRow)),
    ]);
    await this.producer.publish(Topics.traces, output.summaries);
    await this.summaries.putMany(output.summaries);
  }
}

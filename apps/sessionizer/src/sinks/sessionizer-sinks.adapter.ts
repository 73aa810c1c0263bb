import type { ClickHouseBatchWriter } from '@agentmon/clickhouse';
import { Span, Topics, TraceSummary } from '@agentmon/contracts';
import type { TopicProducer } from '@agentmon/kafka';
import type { SessionizerSinks, TraceKey } from '../ports/sessionizer-sinks.port';
import { SpanRow, toSpanRow } from './span-rows';
import { SummaryRow, toSummaryRow } from './summary-rows';
import type { SummaryStore } from './summary-store';
import type { UserSessionRegistry } from './user-session-registry';

/** The real sinks: ClickHouse (spans of sampled traces, every summary), Kafka, Redis. */
export class SessionizerSinksAdapter implements SessionizerSinks {
  constructor(
    private readonly spanWriter: ClickHouseBatchWriter<SpanRow>,
    private readonly summaryWriter: ClickHouseBatchWriter<SummaryRow>,
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

  async emit(output: {
    summaries: readonly TraceSummary[];
    sampledSpans: readonly { projectId: string; spans: readonly Span[] }[];
  }): Promise<void> {
    const spanRows = output.sampledSpans.flatMap(({ projectId, spans }) =>
      spans.map((span) => toSpanRow(projectId, span)),
    );
    // Storage first, then the topic: a summary downstream can count is always queryable. The
    // pipeline waits for these writes before it commits, so they are flushed now, not on a timer.
    const stored = Promise.all([
      this.spanWriter.write(spanRows),
      this.summaryWriter.write(output.summaries.map(toSummaryRow)),
    ]);
    await Promise.all([this.spanWriter.flush(), this.summaryWriter.flush()]);
    await stored;
    await this.producer.publish(Topics.traces, output.summaries);
    await this.summaries.putMany(output.summaries);
  }
}

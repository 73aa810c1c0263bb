import type { ClickHouseConnection } from '@agentmon/clickhouse';
import {
  ClickHouseTables,
  SpanRow,
  toSpanRow,
  toTraceSummaryRow,
  TraceSummaryRow,
} from '@agentmon/clickhouse';
import { Topics, TraceSummary } from '@agentmon/contracts';
import type { TopicProducer } from '@agentmon/kafka';
import type { FloorClaim, RevisionBasis } from '@agentmon/sessionizer-domain';
import { ClickHouseTableSink, RetryableError, errorMessage } from '@agentmon/stream-runtime';
import type {
  SessionizerOutput,
  SessionizerSinks,
  TraceKey,
} from '../ports/sessionizer-sinks.port';
import type { RevisionBasisStore } from './revision-basis-store';
import type { SuccessFloorCounter } from './success-floor-counter';
import type { UserSessionRegistry } from './user-session-registry';

const DAY_MS = 86_400_000;

export interface SessionizerSinksAdapterOptions {
  maxRowsPerInsert: number;
  /** SESSIONIZER_LATE_SPANS_WINDOW_S in ms: short-lived spans are kept at least this long. */
  lateSpansWindowMs: number;
  clock?: () => number;
}

/** The real sinks: ClickHouse (spans, short-lived spans, every summary), Kafka, Redis. */
export class SessionizerSinksAdapter implements SessionizerSinks {
  private readonly spans: ClickHouseTableSink<SpanRow>;
  private readonly recentSpans: ClickHouseTableSink<SpanRow & { stored_at_ms: number }>;
  private readonly summaryTable: ClickHouseTableSink<TraceSummaryRow>;
  private readonly clock: () => number;
  private nextHousekeepingAt = 0;

  constructor(
    private readonly connection: ClickHouseConnection,
    private readonly producer: TopicProducer,
    private readonly bases: RevisionBasisStore,
    private readonly sessions: UserSessionRegistry,
    private readonly floor: SuccessFloorCounter,
    private readonly options: SessionizerSinksAdapterOptions,
  ) {
    const max = options.maxRowsPerInsert;
    this.spans = new ClickHouseTableSink(connection, ClickHouseTables.spans, max);
    this.recentSpans = new ClickHouseTableSink(connection, ClickHouseTables.spansRecent, max);
    this.summaryTable = new ClickHouseTableSink(connection, ClickHouseTables.traceSummaries, max);
    this.clock = options.clock ?? Date.now;
  }

  sessionNumbers(
    traces: readonly (TraceKey & { userId: string | null })[],
  ): Promise<(number | null)[]> {
    return this.sessions.sessionNumbers(traces);
  }

  previousBases(traces: readonly TraceKey[]): Promise<(RevisionBasis | null)[]> {
    return this.bases.getMany(traces);
  }

  claimSuccessFloor(claims: readonly FloorClaim[]): Promise<number[]> {
    return this.floor.claimMany(claims);
  }

  /**
   * Storage first, then the topic, then the revision memory: a summary downstream can count is
   * always queryable, and a crash between any two steps replays into the same rows and records
   * (summaries carry no processing time; every sink is idempotent by identity and revision).
   */
  async emit(output: SessionizerOutput): Promise<void> {
    const sampled = output.sampledSpans.flatMap(({ projectId, spans }) =>
      spans.map((span) => toSpanRow(projectId, span)),
    );
    const recent = output.recentSpans.flatMap(({ projectId, closedAt, spans }) =>
      spans.map((span) => ({ ...toSpanRow(projectId, span), stored_at_ms: closedAt })),
    );
    await Promise.all([
      this.spans.insert(sampled),
      this.recentSpans.insert(recent),
      this.summaryTable.insert(output.summaries.map(toTraceSummaryRow)),
    ]);
    for (const trace of output.promotions) await this.promote(trace);
    await this.producer.publish(Topics.traces, output.summaries as TraceSummary[]);
    await this.bases.putMany(output.bases);
    await this.dropExpiredRecentSpans();
  }

  /** Copies a trace's short-lived spans into the kept ones (idempotent: same rows, same keys). */
  private async promote(trace: TraceKey): Promise<void> {
    const columns = SPAN_COLUMNS.join(', ');
    await this.command(
      `INSERT INTO {db:Identifier}.spans (${columns}) SELECT ${columns} FROM {db:Identifier}.spans_recent WHERE project_id = {p:String} AND trace_id = {t:String}`,
      { db: this.connection.database, p: trace.projectId, t: trace.traceId },
    );
  }

  /** At most hourly: whole days older than the late-spans window (plus a day) are dropped. */
  private async dropExpiredRecentSpans(): Promise<void> {
    const now = this.clock();
    if (now < this.nextHousekeepingAt) return;
    this.nextHousekeepingAt = now + 3_600_000;
    const cutoff = new Date(now - this.options.lateSpansWindowMs - DAY_MS);
    const cutoffDay = Number(cutoff.toISOString().slice(0, 10).replace(/-/g, ''));
    const parts = await this.connection.query<{ partition: string }>(
      "SELECT DISTINCT partition FROM system.parts WHERE database = {db:String} AND table = 'spans_recent' AND active",
      { db: this.connection.database },
    );
    for (const { partition } of parts) {
      const day = Number(partition.replace(/\D/g, ''));
      if (day > 0 && day < cutoffDay)
        await this.command(`ALTER TABLE {db:Identifier}.spans_recent DROP PARTITION ${day}`, {
          db: this.connection.database,
        });
    }
  }

  private async command(sql: string, params: Record<string, string>): Promise<void> {
    try {
      await this.connection.command(sql, params);
    } catch (error) {
      throw new RetryableError(`ClickHouse: ${errorMessage(error)}`, undefined, { cause: error });
    }
  }
}

const SPAN_COLUMNS = [
  'project_id',
  'trace_id',
  'span_id',
  'parent_span_id',
  'operation',
  'name',
  'start_time_ms',
  'end_time_ms',
  'duration_ms',
  'status',
  'error_message',
  'error_type',
  'model',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'tool_name',
  'attributes_json',
  'events_json',
];

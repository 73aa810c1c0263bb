import { ClickHouseConnection, MigrationRunner } from '@agentmon/clickhouse';
import { ALL_TOPICS } from '@agentmon/contracts';
import { createKafka, ensureTopics } from '@agentmon/kafka';
import { AppProcess, waitFor } from '@agentmon/launcher';
import { randomUUID } from 'node:crypto';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set by the integration global setup`);
  return value;
}

/** A row of trace_summaries as ClickHouse returns it (64-bit counts come back as strings). */
export type SummaryRow = Record<string, string | number | string[]>;

/** A row of spans (sampled traces only). */
export type SpanTableRow = Record<string, string | number>;

export interface TracePipelineOptions {
  /** GATEWAY_API_KEYS of the gateway, and of whatever else authenticates (`project:digest,…`). */
  apiKeys: string;
  /** More sessionizer settings (SESSIONIZER_PRICE_TABLE, SESSIONIZER_SUCCESS_SAMPLE_RATE, …). */
  sessionizerEnv?: Record<string, string>;
  /** Topics to create besides the pipeline's own. */
  extraTopics?: string[];
}

/**
 * The gateway, the sessionizer (which takes only records bearing the gateway's mark) and
 * ClickHouse, in a database and consumer group of the test file's own: for tests in which a real
 * client sends traces (an OTel-instrumented agent, a Collector through the relay) and the trace
 * summary they became is read back.
 */
export class TracePipeline {
  readonly database = `agentmon_it_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  readonly clickhouse = ClickHouseConnection.create({
    url: required('CLICKHOUSE_URL'),
    database: this.database,
  });
  /** What every ingest process of this pipeline authenticates with (keys, record secret). */
  readonly auth: Record<string, string>;
  private sessionizer?: AppProcess;
  private gateway?: AppProcess;

  constructor(private readonly options: TracePipelineOptions) {
    this.auth = {
      GATEWAY_API_KEYS: options.apiKeys,
      INGEST_RECORD_SECRETS: `ingest-secret-${randomUUID()}`,
    };
  }

  static kafka(clientId = 'trace-pipeline-it') {
    return createKafka({ brokers: required('KAFKA_BROKERS').split(','), clientId });
  }

  static broker(): string {
    return required('KAFKA_BROKERS').split(',')[0];
  }

  /** Migrates the database, creates the topics, starts sessionizer and gateway, waits until ready. */
  async start(): Promise<void> {
    await new MigrationRunner(this.clickhouse, { retentionDays: 30 }).run();
    await ensureTopics(
      TracePipeline.kafka(),
      [...ALL_TOPICS, ...(this.options.extraTopics ?? [])],
      3,
    );
    this.sessionizer = AppProcess.start('sessionizer', {
      ...this.auth,
      SESSIONIZER_PORT: '0',
      SESSIONIZER_REQUIRE_PRODUCER_KEY: 'true',
      CLICKHOUSE_DATABASE: this.database,
      SESSIONIZER_GROUP_ID: `sessionizer-it-${randomUUID()}`,
      SESSIONIZER_ROOT_GRACE_MS: '300',
      SESSIONIZER_TICK_MS: '100',
      SESSIONIZER_SESSION_TIMEOUT_MS: '6000',
      ...this.options.sessionizerEnv,
    });
    this.gateway = AppProcess.start('gateway', { ...this.auth, GATEWAY_PORT: '0' });
    await Promise.all([this.sessionizer.ready(90000), this.gateway.ready(90000)]);
  }

  async stop(): Promise<void> {
    await Promise.all([this.gateway?.stop(15000), this.sessionizer?.stop(15000)]);
    await this.clickhouse.command('DROP DATABASE IF EXISTS {db:Identifier}', { db: this.database });
    await this.clickhouse.close();
  }

  /** The gateway's OTLP/HTTP traces endpoint. */
  async tracesUrl(): Promise<string> {
    if (!this.gateway) throw new Error('start() the pipeline first');
    return `${await this.gateway.url()}/v1/traces`;
  }

  /**
   * Runs a stand-in agent (a TypeScript entry point of the repo) in its own process, as an
   * instrumented application runs; it must exit 0 with nothing on stderr and print
   * {"traceId":"…"}, which is returned.
   */
  async runAgent(script: string, env: Record<string, string>): Promise<string> {
    const agent = AppProcess.script(script, [], env);
    const code = await agent.exitCode();
    const stderr = agent.stderr.join('');
    if (code !== 0 || stderr !== '')
      throw new Error(`${script} exited ${String(code)}: ${stderr || JSON.stringify(agent.lines)}`);
    const line = agent.lines.find((l) => typeof l.traceId === 'string');
    if (!line) throw new Error(`${script} printed no trace id: ${JSON.stringify(agent.lines)}`);
    return String(line.traceId);
  }

  /** The trace's summary once the sessionizer has written it. */
  async summaryOf(traceId: string): Promise<SummaryRow> {
    const [row] = await waitFor(
      `trace ${traceId} summarised in ClickHouse`,
      async () => {
        const rows = await this.clickhouse.query<SummaryRow>(
          'SELECT * FROM {db:Identifier}.trace_summaries FINAL WHERE trace_id = {t:String}',
          { db: this.database, t: traceId },
        );
        return rows.length > 0 ? rows : undefined;
      },
      { timeoutMs: 45000, intervalMs: 200 },
    );
    return row;
  }

  /** The stored spans of a sampled trace, once `expected` of them are there. */
  spansOf(traceId: string, expected: number): Promise<SpanTableRow[]> {
    return waitFor(
      `${expected} spans of trace ${traceId} in ClickHouse`,
      async () => {
        const rows = await this.clickhouse.query<SpanTableRow>(
          `SELECT * FROM {db:Identifier}.spans FINAL WHERE trace_id = {t:String}
           ORDER BY start_time_ms, span_id`,
          { db: this.database, t: traceId },
        );
        return rows.length >= expected ? rows : undefined;
      },
      { timeoutMs: 45000, intervalMs: 200 },
    );
  }
}

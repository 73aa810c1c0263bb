import { ClickHouseConnection, MigrationRunner } from '@agentmon/clickhouse';
import { ALL_TOPICS, SpansTopicRecord, TopicName, TopicRecord, Topics } from '@agentmon/contracts';
import { createKafka, ensureTopics, TopicProducer } from '@agentmon/kafka';
import { AppProcess, waitFor } from '@agentmon/launcher';
import { readTopicUntil } from '@agentmon/testing';
import { randomUUID } from 'node:crypto';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set by the integration global setup`);
  return value;
}

/** One isolated pipeline world per test file: its own database, consumer group and topics prefix-free. */
export class PipelineHarness {
  readonly database = `agentmon_it_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  readonly groupId = `sessionizer-it-${randomUUID()}`;
  readonly kafka = createKafka({
    brokers: required('KAFKA_BROKERS').split(','),
    clientId: 'pipeline-it',
  });
  readonly clickhouse = ClickHouseConnection.create({
    url: required('CLICKHOUSE_URL'),
    database: this.database,
  });
  private producer?: TopicProducer;

  async setUp(): Promise<void> {
    await new MigrationRunner(this.clickhouse, { retentionDays: 30 }).run();
    await ensureTopics(this.kafka, ALL_TOPICS, 3);
    this.producer = await TopicProducer.connect(this.kafka);
  }

  async tearDown(): Promise<void> {
    await this.producer?.disconnect();
    await this.clickhouse.command('DROP DATABASE IF EXISTS {db:Identifier}', { db: this.database });
    await this.clickhouse.close();
  }

  sessionizerEnv(extra: Record<string, string> = {}): Record<string, string> {
    return {
      SESSIONIZER_PORT: '0',
      CLICKHOUSE_DATABASE: this.database,
      SESSIONIZER_GROUP_ID: this.groupId,
      SESSIONIZER_ROOT_GRACE_MS: '300',
      SESSIONIZER_TICK_MS: '100',
      SESSIONIZER_SESSION_TIMEOUT_MS: '6000',
      CLICKHOUSE_FLUSH_INTERVAL_MS: '50',
      LOG_LEVEL: 'info',
      ...extra,
    };
  }

  startSessionizer(extra: Record<string, string> = {}): AppProcess {
    return AppProcess.start('sessionizer', this.sessionizerEnv(extra));
  }

  produceSpans(records: SpansTopicRecord[]): Promise<void> {
    return this.producer!.publish(Topics.spans, records);
  }

  async produceRaw(topic: TopicName, key: string, value: string): Promise<void> {
    await this.producer!.publishRaw(topic, [{ key, value }]);
  }

  async traceRows(): Promise<
    { trace_id: string; rows: number; span_count: number; sampled: number; revision: number }[]
  > {
    return this.clickhouse.query(
      'SELECT trace_id, count() AS rows, any(span_count) AS span_count, any(sampled) AS sampled, max(revision) AS revision FROM {db:Identifier}.trace_summaries FINAL GROUP BY trace_id',
      { db: this.database },
    );
  }

  async spanCount(traceId: string): Promise<number> {
    const [row] = await this.clickhouse.query<{ c: string }>(
      'SELECT count() AS c FROM {db:Identifier}.spans FINAL WHERE trace_id = {t:String}',
      { db: this.database, t: traceId },
    );
    return Number(row.c);
  }

  waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 45000): Promise<T> {
    return waitFor(what, probe, { timeoutMs, intervalMs: 200 });
  }

  readTopic<T extends TopicName>(
    topic: T,
    done: (records: TopicRecord<T>[]) => boolean,
  ): Promise<TopicRecord<T>[]> {
    return readTopicUntil(this.kafka, topic, done);
  }
}

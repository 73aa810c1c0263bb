import { ClickHouseConnection, MigrationRunner } from '@agentmon/clickhouse';
import { type Alert, ALL_TOPICS, Topics } from '@agentmon/contracts';
import { createKafka, ensureTopics, TopicProducer } from '@agentmon/kafka';
import { AppProcess, waitFor } from '@agentmon/launcher';
import { makeAlert } from '@agentmon/testing';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set by the integration global setup`);
  return value;
}

let sequence = 0;

/** One isolated notifier world per test file: its own database, consumer group and Redis prefix. */
export class NotifierHarness {
  readonly id = randomUUID().replace(/-/g, '').slice(0, 12);
  readonly database = `agentmon_it_${this.id}`;
  readonly groupId = `notifier-it-${this.id}`;
  readonly redisPrefix = `agentmon:it:${this.id}:notifier:`;
  readonly kafka = createKafka({
    brokers: required('KAFKA_BROKERS').split(','),
    clientId: 'notifier-it',
  });
  readonly clickhouse = ClickHouseConnection.create({
    url: required('CLICKHOUSE_URL'),
    database: this.database,
  });
  readonly redis = new Redis(required('REDIS_URL'));
  private producer?: TopicProducer;
  private readonly processes: AppProcess[] = [];

  async setUp(): Promise<void> {
    await new MigrationRunner(this.clickhouse, { retentionDays: 30 }).run();
    await ensureTopics(this.kafka, ALL_TOPICS, 3);
    this.producer = await TopicProducer.connect(this.kafka);
  }

  /** Stops every notifier still running (afterEach: a failed test never leaks an instance into the next). */
  async stopAll(): Promise<void> {
    await Promise.all(this.processes.filter((p) => p.running).map((p) => p.stop(10_000)));
  }

  async tearDown(): Promise<void> {
    await this.stopAll();
    await this.producer?.disconnect();
    await this.clickhouse.command('DROP DATABASE IF EXISTS {db:Identifier}', { db: this.database });
    await this.clickhouse.close();
    const keys = await this.redis.keys(`${this.redisPrefix}*`);
    if (keys.length) await this.redis.del(...keys);
    this.redis.disconnect();
  }

  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      NOTIFIER_PORT: '0',
      CLICKHOUSE_DATABASE: this.database,
      NOTIFIER_GROUP_ID: this.groupId,
      NOTIFIER_REDIS_PREFIX: this.redisPrefix,
      NOTIFIER_SESSION_TIMEOUT_MS: '6000',
      NOTIFIER_TICK_MS: '100',
      NOTIFIER_GROUP_WAIT_MS: '300',
      NOTIFIER_MAX_ATTEMPTS: '3',
      NOTIFIER_SLACK_TIMEOUT_MS: '500',
      NOTIFIER_MAX_RETRY_AFTER_MS: '2000',
      NOTIFIER_PARK_RETRY_MS: '200',
      NOTIFIER_PARK_MAX_RETRY_MS: '400',
      RETRY_INITIAL_DELAY_MS: '20',
      RETRY_MAX_DELAY_MS: '100',
      LOG_LEVEL: 'info',
      ...extra,
    };
  }

  start(extra: Record<string, string> = {}): AppProcess {
    const app = AppProcess.start('notifier', this.env(extra));
    this.processes.push(app);
    return app;
  }

  /** Started and joined its group (ready). */
  async startReady(extra: Record<string, string> = {}): Promise<AppProcess> {
    const app = this.start(extra);
    const url = await app.url(60_000);
    await waitFor('notifier ready', async () => (await fetch(`${url}/readyz`)).ok, {
      timeoutMs: 60_000,
    });
    return app;
  }

  project(): string {
    sequence += 1;
    return `it-${this.id}-${sequence}`;
  }

  /** An alert of `project`: slice "all" unless given; unique alert id. */
  alert(project: string, partial: Partial<Alert> = {}): Alert {
    sequence += 1;
    const slice = partial.slice ?? { dimension: 'all' as const, value: '*' };
    const metric = partial.metric ?? 'completion_rate';
    return makeAlert({
      alert_id: `al-${this.id}-${sequence}`,
      project_id: project,
      metric,
      slice,
      fingerprint: `${project}:${metric}:${slice.dimension}=${slice.value}`,
      time: Date.now(),
      window_start: Date.now() - 300_000,
      window_end: Date.now(),
      ...partial,
    });
  }

  produce(alerts: Alert[]): Promise<void> {
    return this.producer!.publish(Topics.alerts, alerts);
  }

  async query<Row>(sql: string, params: Record<string, string | number> = {}): Promise<Row[]> {
    return this.clickhouse.query<Row>(sql, { db: this.database, ...params });
  }

  /** alert_id → latest delivery status (waits for the journal to reach ClickHouse). */
  async deliveryStatus(alertIds: string[]): Promise<Record<string, string>> {
    const rows = await this.query<{ alert_id: string; status: string }>(
      'SELECT alert_id, argMax(status, revision) AS status FROM {db:Identifier}.alert_deliveries WHERE has({ids:Array(String)}, alert_id) GROUP BY alert_id',
      { ids: alertIds as never },
    );
    return Object.fromEntries(rows.map((r) => [r.alert_id, r.status]));
  }

  async decisions(project: string): Promise<{ alert_id: string; reason: string }[]> {
    return this.query(
      'SELECT alert_id, reason FROM {db:Identifier}.notifier_decisions FINAL WHERE project_id = {p:String} ORDER BY decided_at_ms, alert_id, reason',
      { p: project },
    );
  }

  async attempts(project: string): Promise<
    {
      notification_id: string;
      round: number;
      attempt: number;
      http_status: number;
      outcome: string;
      error: string;
    }[]
  > {
    const rows = await this.query<{
      notification_id: string;
      round: number;
      attempt: number;
      http_status: number;
      outcome: string;
      error: string;
    }>(
      'SELECT notification_id, round, attempt, http_status, outcome, error FROM {db:Identifier}.notification_attempts FINAL WHERE project_id = {p:String} ORDER BY attempted_at_ms, round, attempt',
      { p: project },
    );
    return rows.map((r) => ({
      ...r,
      round: Number(r.round),
      attempt: Number(r.attempt),
      http_status: Number(r.http_status),
    }));
  }
}

export { waitFor };

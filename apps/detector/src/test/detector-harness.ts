import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClickHouseConnection, MigrationRunner } from '@agentmon/clickhouse';
import {
  ALL_TOPICS,
  Topics,
  type Alert,
  type MetricWindow,
  type TopicName,
  type TopicRecord,
} from '@agentmon/contracts';
import { createKafka, ensureTopics, TopicProducer } from '@agentmon/kafka';
import { AppProcess, waitFor } from '@agentmon/launcher';
import { makeMetricWindow, readTopicUntil } from '@agentmon/testing';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set by the integration global setup`);
  return value;
}

export const MINUTE = 60_000;

/** Overall window `i` minutes after `t0` of `project`, with the given completion and p95 latency. */
export function overallWindow(
  project: string,
  t0: number,
  i: number,
  completion: number,
  latencyP95 = 15_000,
): MetricWindow {
  const completed = Math.round(completion * 100);
  const strong = Math.min(completed, 80);
  return makeMetricWindow({
    project_id: project,
    window_start: t0 + i * MINUTE,
    trace_count: 100,
    completed_count: completed,
    strong_completed_count: strong,
    completion_rate: completed / 100,
    strong_completion_rate: strong / 100,
    completion_gap: (completed - strong) / 100,
    latency_p95_ms: latencyP95,
  });
}

/** One isolated detector world per test file: its own database, consumer group and temp dir. */
export class DetectorHarness {
  readonly database = `agentmon_it_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  readonly groupId = `detector-it-${randomUUID()}`;
  readonly dir = mkdtempSync(join(tmpdir(), 'agentmon-detector-it-'));
  readonly kafka = createKafka({
    brokers: required('KAFKA_BROKERS').split(','),
    clientId: 'detector-it',
  });
  readonly clickhouse = ClickHouseConnection.create({
    url: required('CLICKHOUSE_URL'),
    database: this.database,
  });
  readonly redis = new Redis(required('REDIS_URL'), { maxRetriesPerRequest: 1 });
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
    await this.redis.quit();
    rmSync(this.dir, { recursive: true, force: true });
  }

  file(name: string, text: string): string {
    const path = join(this.dir, name);
    writeFileSync(path, text);
    return path;
  }

  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      DETECTOR_PORT: '0',
      CLICKHOUSE_DATABASE: this.database,
      DETECTOR_GROUP_ID: this.groupId,
      DETECTOR_TICK_MS: '100',
      DETECTOR_SESSION_TIMEOUT_MS: '6000',
      LOG_LEVEL: 'info',
      ...extra,
    };
  }

  startDetector(extra: Record<string, string> = {}): AppProcess {
    return AppProcess.start('detector', this.env(extra));
  }

  produceWindows(windows: readonly MetricWindow[]): Promise<void> {
    return this.producer!.publish(Topics.metrics, windows);
  }

  async produceRaw(topic: TopicName, key: string, value: string): Promise<void> {
    await this.producer!.publishRaw(topic, [{ key, value }]);
  }

  /** Rows of `alerts` FINAL for a project: one per alert_id unless something was written twice. */
  async alertRows(project: string): Promise<{ alert_id: string; rows: string }[]> {
    return this.clickhouse.query(
      'SELECT alert_id, count() AS rows FROM {db:Identifier}.alerts FINAL WHERE project_id = {p:String} GROUP BY alert_id',
      { db: this.database, p: project },
    );
  }

  /** The project's alerts on the topic, every copy (a redelivered change appears twice). */
  async topicAlerts(project: string, done: (mine: Alert[]) => boolean): Promise<Alert[]> {
    const all = await this.readTopic(Topics.alerts, (seen) =>
      done(seen.filter((a) => a.project_id === project)),
    );
    return all.filter((a) => a.project_id === project);
  }

  waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60000): Promise<T> {
    return waitFor(what, probe, { timeoutMs, intervalMs: 200 });
  }

  readTopic<T extends TopicName>(
    topic: T,
    done: (records: TopicRecord<T>[]) => boolean,
  ): Promise<TopicRecord<T>[]> {
    return readTopicUntil(this.kafka, topic, done, 60000);
  }
}

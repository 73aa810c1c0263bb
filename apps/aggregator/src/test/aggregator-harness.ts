import { ClickHouseConnection, MigrationRunner } from '@agentmon/clickhouse';
import {
  ALL_TOPICS,
  Topics,
  type MetricWindow,
  type TopicName,
  type TopicRecord,
  type TraceSummary,
} from '@agentmon/contracts';
import { createKafka, ensureTopics, TopicProducer } from '@agentmon/kafka';
import { AppProcess, waitFor } from '@agentmon/launcher';
import { readTopicUntil } from '@agentmon/testing';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set by the integration global setup`);
  return value;
}

/** A window row as the tests compare it: the stored window JSON at its highest revision. */
export type StoredWindow = MetricWindow;

/**
 * One isolated aggregator world per harness: its own ClickHouse database and consumer group
 * (hence its own Redis namespace). The traces topic is shared with other suites, so every
 * check filters by the test's own project ids.
 */
export class AggregatorHarness {
  readonly database = `agentmon_it_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  readonly groupId = `aggregator-it-${randomUUID()}`;
  readonly kafka = createKafka({
    brokers: required('KAFKA_BROKERS').split(','),
    clientId: 'aggregator-it',
  });
  readonly clickhouse = ClickHouseConnection.create({
    url: required('CLICKHOUSE_URL'),
    database: this.database,
  });
  readonly redis = new Redis(required('REDIS_URL'), { lazyConnect: true });
  partitions = 3;
  private producer?: TopicProducer;

  async setUp(): Promise<void> {
    await new MigrationRunner(this.clickhouse, { retentionDays: 30 }).run();
    await ensureTopics(this.kafka, ALL_TOPICS, 3);
    const admin = this.kafka.admin();
    await admin.connect();
    const metadata = await admin.fetchTopicMetadata({ topics: [Topics.traces] });
    this.partitions = metadata.topics[0]!.partitions.length;
    await admin.disconnect();
    this.producer = await TopicProducer.connect(this.kafka);
    await this.redis.connect();
  }

  async tearDown(): Promise<void> {
    await this.producer?.disconnect();
    await this.clickhouse.command('DROP DATABASE IF EXISTS {db:Identifier}', { db: this.database });
    await this.clickhouse.close();
    this.redis.disconnect();
  }

  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      AGGREGATOR_PORT: '0',
      CLICKHOUSE_DATABASE: this.database,
      AGGREGATOR_GROUP_ID: this.groupId,
      AGGREGATOR_TICK_MS: '100',
      AGGREGATOR_IDLE_CLOSE_MS: '1500',
      AGGREGATOR_SESSION_TIMEOUT_MS: '6000',
      AGGREGATOR_MERGE_LEASE_MS: '5000',
      KAFKA_TOPIC_PARTITIONS: String(this.partitions),
      LOG_LEVEL: 'info',
      ...extra,
    };
  }

  start(extra: Record<string, string> = {}): AppProcess {
    return AppProcess.start('aggregator', this.env(extra));
  }

  produceTraces(summaries: readonly TraceSummary[]): Promise<void> {
    return this.producer!.publish(Topics.traces, summaries);
  }

  async produceRaw(topic: TopicName, key: string, value: string): Promise<void> {
    await this.producer!.publishRaw(topic, [{ key, value }]);
  }

  /** Every stored window of a project at its highest revision (FINAL), minute windows by default. */
  async windows(projectId: string, windowSizeS = 60): Promise<StoredWindow[]> {
    const rows = await this.clickhouse.query<{ window_json: string }>(
      `SELECT window_json FROM {db:Identifier}.metric_windows FINAL
       WHERE project_id = {p:String} AND window_size_s = {s:UInt32}
       ORDER BY window_start_ms, slice_dimension, slice_value`,
      { db: this.database, p: projectId, s: windowSizeS },
    );
    return rows.map((row) => JSON.parse(row.window_json) as StoredWindow);
  }

  /** Waits until the overall minute windows of a project count `expected` traces in total. */
  async waitForTraceCount(projectId: string, expected: number, timeoutMs = 60000) {
    return this.waitFor(
      `${expected} traces of ${projectId} in metric_windows`,
      async () => {
        const windows = (await this.windows(projectId)).filter((w) => w.slice.dimension === 'all');
        const total = windows.reduce((sum, w) => sum + w.trace_count, 0);
        return total === expected ? windows : undefined;
      },
      timeoutMs,
    );
  }

  waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60000): Promise<T> {
    return waitFor(what, probe, { timeoutMs, intervalMs: 250 });
  }

  readTopic<T extends TopicName>(
    topic: T,
    done: (records: TopicRecord<T>[]) => boolean,
  ): Promise<TopicRecord<T>[]> {
    return readTopicUntil(this.kafka, topic, done, 60000);
  }
}

/** Trace summaries ending within [from, from + spanMs), varied over every slice dimension. */
export function variedTraces(
  projectId: string,
  count: number,
  from: number,
  spanMs: number,
  seed = 1,
): TraceSummary[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  return Array.from({ length: count }, (_, i) => {
    const ended_at = from + Math.floor(random() * spanMs);
    const duration = 200 + Math.floor(Math.exp(7 + random() * 3));
    const completed = random() < 0.85;
    const tool_call_count = Math.floor(random() * 8);
    const tool_error_count = Math.min(tool_call_count, random() < 0.15 ? 1 : 0);
    const input_tokens = Math.floor(random() * 5000);
    const output_tokens = Math.floor(random() * 1000);
    const timeout = random() < 0.03 ? 1 : 0;
    return {
      trace_id: `${projectId}-t${i}`,
      project_id: projectId,
      revision: 0,
      session_id: `s-${i}`,
      user_id: `u-${i % 50}`,
      started_at: ended_at - duration,
      ended_at,
      duration_ms: duration,
      final_output: completed ? 'Done.' : null,
      completed,
      rating: 'none',
      corrected: false,
      escalated: false,
      safety_flagged: random() < 0.02,
      abandoned: false,
      timed_out: timeout === 1,
      hallucination_caught: false,
      accepted: completed,
      output_copied: false,
      follow_up: false,
      task_type: random() < 0.05 ? null : pick(['code_review', 'search', 'support', 'refactor']),
      user_segment: pick(['free', 'pro', 'enterprise', null]),
      platform: pick(['web', 'ios', 'cli']),
      model_version: pick(['m-1', 'm-2']),
      agent_version: pick(['1.0', '1.1', null]),
      query_length: random() < 0.1 ? null : Math.floor(Math.exp(3 + random() * 4)),
      session_number: random() < 0.1 ? null : 1 + Math.floor(random() * 10),
      first_session: false,
      input_tokens,
      output_tokens,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
      span_count: 2 + tool_call_count,
      llm_call_count: 1,
      tool_call_count,
      tool_error_count,
      step_count: 1 + Math.floor(random() * 6),
      error_count: tool_error_count + timeout,
      error_types: {
        tool_failure: tool_error_count,
        llm_refusal: 0,
        timeout,
        user_abandonment: 0,
        hallucination_caught: 0,
      },
      cost_usd: (input_tokens * 3 + output_tokens * 15) / 1e6,
      tool_cost_usd: 0,
      weak_completion: completed,
      strong_completion: completed && random() < 0.8,
      sampled: false,
      sampling_rule: 'unsampled',
      closed_reason: 'trace_end',
      closed_at: ended_at + 1000,
      flags: [],
    } satisfies TraceSummary;
  });
}

/** Per minute window: the counts a single exact computation gives. */
export function expectedByWindow(traces: readonly TraceSummary[], sizeMs = 60_000) {
  const out = new Map<
    number,
    {
      trace_count: number;
      completed: number;
      strong: number;
      costNanos: number;
      tool_errors: number;
    }
  >();
  for (const t of traces) {
    const start = Math.floor(t.ended_at / sizeMs) * sizeMs;
    const w = out.get(start) ?? {
      trace_count: 0,
      completed: 0,
      strong: 0,
      costNanos: 0,
      tool_errors: 0,
    };
    w.trace_count++;
    if (t.completed) w.completed++;
    if (t.strong_completion) w.strong++;
    w.costNanos += Math.round(t.cost_usd * 1e9);
    w.tool_errors += t.tool_error_count;
    out.set(start, w);
  }
  return out;
}

/** A window without what legitimately differs between runs (revision, time of computation, project). */
export function comparable(
  window: MetricWindow,
): Omit<MetricWindow, 'revision' | 'computed_at' | 'project_id'> {
  const { revision: _r, computed_at: _c, project_id: _p, ...rest } = window;
  return rest;
}

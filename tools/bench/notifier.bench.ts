// Alert → Slack POST latency through the real notifier process: alerts produced to the alerts
// topic, the notifier (group wait NOTIFIER_GROUP_WAIT_MS, default here 100 ms) posting to a local
// HTTP server standing in for Slack. Prints one last JSON line {"bench":"notifier","figures":{…}}.
import { ClickHouseConnection, MigrationRunner } from '@agentmon/clickhouse';
import { ALL_TOPICS, Topics } from '@agentmon/contracts';
import { createKafka, ensureTopics, TopicProducer } from '@agentmon/kafka';
import { AppProcess, startLocalInfrastructure, waitFor } from '@agentmon/launcher';
import { makeAlert } from '@agentmon/testing';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { median } from './median';

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export interface NotifierBenchOptions {
  /** Alerts per run, each its own message. */
  alerts?: number;
  runs?: number;
  groupWaitMs?: number;
  /** Reuse running services (bench:analytics); started locally otherwise. */
  env?: Record<string, string>;
}

/** Runs the notifier as a process and measures alert produced → Slack POST received. */
export async function benchNotifier(
  options: NotifierBenchOptions = {},
): Promise<Record<string, number>> {
  const alerts = options.alerts ?? 200;
  const runs = options.runs ?? 3;
  const groupWaitMs = options.groupWaitMs ?? 100;
  const infra = options.env ? undefined : await startLocalInfrastructure({ purpose: 'test' });
  const env: Record<string, string> = options.env ?? infra!.env;
  const id = randomUUID().replace(/-/g, '').slice(0, 12);
  const database = `agentmon_bench_${id}`;
  const clickhouse = ClickHouseConnection.create({ url: env.CLICKHOUSE_URL, database });
  const kafka = createKafka({ brokers: env.KAFKA_BROKERS.split(','), clientId: 'notifier-bench' });
  const received = new Map<string, number>();
  const slack = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.timeOrigin + performance.now();
      for (const match of Buffer.concat(chunks)
        .toString('utf8')
        .matchAll(/bench-[a-z0-9-]+/g)) {
        if (!received.has(match[0])) received.set(match[0], at);
      }
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve));
  const webhook = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/services/BENCH/BENCH/bench`;
  let app: AppProcess | undefined;
  let producer: TopicProducer | undefined;
  try {
    await new MigrationRunner(clickhouse, { retentionDays: 1 }).run();
    await ensureTopics(kafka, ALL_TOPICS, Number(env.KAFKA_TOPIC_PARTITIONS ?? 6));
    producer = await TopicProducer.connect(kafka);
    app = AppProcess.start('notifier', {
      ...env,
      NOTIFIER_PORT: '0',
      LOG_LEVEL: 'info',
      CLICKHOUSE_DATABASE: database,
      NOTIFIER_GROUP_ID: `notifier-bench-${id}`,
      NOTIFIER_REDIS_PREFIX: `agentmon:bench:${id}:`,
      NOTIFIER_GROUP_WAIT_MS: String(groupWaitMs),
      NOTIFIER_TICK_MS: '50',
      SLACK_WEBHOOK_URL: webhook,
    });
    const url = await app.url(60_000);
    await waitFor('notifier ready', async () => (await fetch(`${url}/readyz`)).ok, {
      timeoutMs: 60_000,
    });

    const p50s: number[] = [];
    const p99s: number[] = [];
    for (let run = 0; run < runs; run += 1) {
      const sentAt = new Map<string, number>();
      for (let i = 0; i < alerts; i += 1) {
        const alertId = `bench-${id}-${run}-${i}`;
        const project = `bench-${id}-p${run}-${i}`;
        const now = Date.now();
        const alert = makeAlert({
          alert_id: alertId,
          project_id: project,
          fingerprint: `${project}:completion_rate:all`,
          slice: { dimension: 'all', value: '*' },
          time: now,
          window_start: now - 300_000,
          window_end: now,
        });
        sentAt.set(alertId, performance.timeOrigin + performance.now());
        await producer.publish(Topics.alerts, [alert]);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await waitFor(
        'every alert posted',
        async () => [...sentAt.keys()].every((k) => received.has(k)),
        { timeoutMs: 120_000 },
      );
      const latencies = [...sentAt].map(([k, t]) => received.get(k)! - t);
      p50s.push(percentile(latencies, 50));
      p99s.push(percentile(latencies, 99));
    }
    return {
      alert_to_slack_ms_p50: Math.round(median(p50s)),
      alert_to_slack_ms_p99: Math.round(median(p99s)),
      group_wait_ms: groupWaitMs,
      alerts_per_run: alerts,
      runs,
    };
  } finally {
    await app?.stop(10_000);
    await producer?.disconnect();
    await clickhouse
      .command('DROP DATABASE IF EXISTS {db:Identifier}', { db: database })
      .catch(() => undefined);
    await clickhouse.close();
    slack.closeAllConnections();
    await new Promise<void>((resolve) => slack.close(() => resolve()));
    await infra?.stop();
  }
}

if (require.main === module) {
  benchNotifier()
    .then((figures) => console.log(JSON.stringify({ bench: 'notifier', figures })))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}

import { ClickHouseConnection, MigrationRunner } from '@agentmon/clickhouse';
import { ALL_TOPICS } from '@agentmon/contracts';
import { createKafka, ensureTopics } from '@agentmon/kafka';
import { createHash, randomUUID } from 'node:crypto';
import pino from 'pino';
import { AppSupervisor } from '../cli/src/app-supervisor';
import { SlackStandIn } from '../cli/src/demo/slack-stand-in';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set by the integration global setup`);
  return value;
}

export interface PipelineStack {
  id: string;
  database: string;
  project: string;
  apiKey: string;
  clickhouse: ClickHouseConnection;
  slack: SlackStandIn;
  supervisor: AppSupervisor;
  urls: Record<string, string>;
  /** A query on the stack's database with `db` and `project` bound. */
  query<Row>(sql: string, params?: Record<string, unknown>): Promise<Row[]>;
  stop(): Promise<void>;
}

/**
 * Every app of `npm start` as real processes (gateway → sessionizer → aggregator → detector →
 * notifier, and the console) on the integration broker, Redis and ClickHouse, in a database of
 * their own, with a local HTTP server as Slack and short windows and ticks so a backfilled
 * scenario is detected in seconds. Shared by the whole-stack tests.
 */
export async function startPipelineStack(options: {
  prefix: string;
  windowMs: number;
  env?: Record<string, string>;
  /** A console token for the stack's project (CONSOLE_TOKENS). */
  consoleToken?: string;
}): Promise<PipelineStack> {
  const id = randomUUID().replace(/-/g, '').slice(0, 12);
  const database = `agentmon_${options.prefix}_${id}`;
  const project = `${options.prefix}-${id}`;
  const apiKey = `am_${options.prefix}_${randomUUID()}`;
  const clickhouse = ClickHouseConnection.create({ url: required('CLICKHOUSE_URL'), database });
  const slack = new SlackStandIn();
  await new MigrationRunner(clickhouse, { retentionDays: 30 }).run();
  const kafka = createKafka({
    brokers: required('KAFKA_BROKERS').split(','),
    clientId: `${options.prefix}-it`,
  });
  await ensureTopics(kafka, ALL_TOPICS, 3);
  const slackUrl = await slack.start();
  const group = (app: string) => `${app}-${options.prefix}-${id}`;
  const supervisor = new AppSupervisor({
    env: {
      LOG_LEVEL: 'warn',
      CLICKHOUSE_DATABASE: database,
      CLICKHOUSE_FLUSH_INTERVAL_MS: '50',
      GATEWAY_API_KEYS: `${project}:${createHash('sha256').update(apiKey).digest('hex')}`,
      SESSIONIZER_GROUP_ID: group('sessionizer'),
      AGGREGATOR_GROUP_ID: group('aggregator'),
      DETECTOR_GROUP_ID: group('detector'),
      NOTIFIER_GROUP_ID: group('notifier'),
      SESSIONIZER_SESSION_TIMEOUT_MS: '10000',
      AGGREGATOR_SESSION_TIMEOUT_MS: '10000',
      DETECTOR_SESSION_TIMEOUT_MS: '10000',
      NOTIFIER_SESSION_TIMEOUT_MS: '10000',
      SESSIONIZER_ROOT_GRACE_MS: '500',
      SESSIONIZER_TICK_MS: '100',
      AGGREGATOR_TICK_MS: '100',
      DETECTOR_TICK_MS: '100',
      NOTIFIER_TICK_MS: '100',
      AGGREGATOR_WINDOW_MS: String(options.windowMs),
      // Lateness half a window; idle close long enough that an app starved of CPU for a while
      // on a loaded machine does not close windows before every partition reported them.
      AGGREGATOR_ALLOWED_LATENESS_MS: String(Math.round(options.windowMs / 2)),
      AGGREGATOR_IDLE_CLOSE_MS: '30000',
      NOTIFIER_GROUP_WAIT_MS: '1000',
      NOTIFIER_REDIS_PREFIX: `agentmon:${options.prefix}:${id}:notifier:`,
      SLACK_WEBHOOK_URL: slackUrl,
      CONSOLE_TOKENS: options.consoleToken
        ? `${project}:${createHash('sha256').update(options.consoleToken).digest('hex')}`
        : '',
      ...options.env,
    },
    logger: pino({ level: 'silent' }),
    forwardLogs: false,
  });
  let urls: Record<string, string> = {};
  const stop = async () => {
    await supervisor.stopAll(20_000);
    await slack.stop();
    await clickhouse.command('DROP DATABASE IF EXISTS {db:Identifier}', { db: database });
    await clickhouse.close();
  };
  try {
    urls = await supervisor.startAll(0);
    await supervisor.waitReady(90_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    id,
    database,
    project,
    apiKey,
    clickhouse,
    slack,
    supervisor,
    urls,
    query: <Row>(sql: string, params: Record<string, unknown> = {}) =>
      clickhouse.query<Row>(sql, { db: database, project, ...params } as never),
    stop,
  };
}

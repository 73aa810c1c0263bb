import { Command } from 'commander';
import { loadConfig, redactConfig } from '@agentmon/config';
import { ClickHouseConnection } from '@agentmon/clickhouse';
import { startLocalInfrastructure } from '@agentmon/launcher';
import { createLogger } from '@agentmon/observability';
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AppSupervisor } from './app-supervisor';
import { createTopics, migrateClickHouse } from './prepare-storage';
import { runDemo } from './demo/demo';
import { renderSlackMessage, SlackStandIn } from './demo/slack-stand-in';
import { analyticsQueriesFor } from './query-context';
import { sendSmokeTrace } from './smoke-trace';

interface StartOptions {
  smoke?: boolean;
  /** commander's --no-demo: false skips the demo. */
  demo?: boolean;
}

/**
 * The project the demo's traffic belongs to: fresh per run (its API key too), so a second
 * `npm start` on the same data directory starts from cold charts and cooldowns.
 */
function demoProject(): string {
  return `demo-${new Date().toISOString().slice(0, 10)}-${randomUUID().slice(0, 4)}`;
}

/**
 * Settings for the demo; each applies only when the variable is not set already. Windows,
 * lateness and idle close keep their defaults: a backfill closes windows by watermark as fast as
 * it is sent, in order, and the regression is paged while it is still being sent. A shorter idle
 * close would let a window merge before every partition reported it (a lower revision the
 * detector sees first, then counts the full one as stale). What shrinks is the notifier's group
 * wait.
 */
export const DEMO_APP_ENV: Record<string, string> = {
  NOTIFIER_GROUP_WAIT_MS: '5000',
  // The apps' info lines would bury the demo's output; LOG_LEVEL set by the user wins.
  LOG_LEVEL: 'warn',
};

/**
 * The single-machine main job: starts (or reuses) the broker, Redis and ClickHouse, migrates,
 * creates topics, runs the pipeline apps and the console and waits for Ctrl-C. `--smoke` proves
 * the same path end to end and exits, for CI.
 */
async function start(options: StartOptions): Promise<void> {
  const startedAt = Date.now();
  const config = loadConfig();
  const logger = createLogger('agentmon', config.LOG_LEVEL);
  logger.info({ config: redactConfig(config) }, 'starting AgentMon');
  const infra = await startLocalInfrastructure({
    purpose: options.smoke ? 'test' : 'run',
    dataDir: config.AGENTMON_DATA_DIR,
    brokerPort: options.smoke ? 0 : config.EMBEDDED_BROKER_PORT,
    brokerPartitions: config.KAFKA_TOPIC_PARTITIONS,
    brokerAutoCreateTopics: config.EMBEDDED_BROKER_AUTO_CREATE_TOPICS,
    brokerMaxInflightBytes: config.EMBEDDED_BROKER_MAX_INFLIGHT_BYTES,
  });
  logger.info({ started: infra.started, ...infra.env }, 'infrastructure up');
  // The smoke run mints a throwaway key; a real run uses the keys configured in GATEWAY_API_KEYS.
  const smokeKey = `am_smoke_${randomUUID()}`;
  const smokeEnv: Record<string, string> = options.smoke
    ? { GATEWAY_API_KEYS: `smoke:${createHash('sha256').update(smokeKey).digest('hex')}` }
    : {};
  const demo = !options.smoke && options.demo !== false;
  const demoKey = `am_demo_${randomUUID()}`;
  const consoleToken = `amc_demo_${randomUUID()}`;
  const demoProjectId = demoProject();
  let slackStandIn: SlackStandIn | undefined;
  const demoEnv: Record<string, string> = {};
  if (demo) {
    for (const [name, value] of Object.entries(DEMO_APP_ENV)) {
      if (process.env[name] === undefined) demoEnv[name] = value;
    }
    const demoEntry = `${demoProjectId}:${createHash('sha256').update(demoKey).digest('hex')}`;
    demoEnv.GATEWAY_API_KEYS = process.env.GATEWAY_API_KEYS
      ? `${process.env.GATEWAY_API_KEYS},${demoEntry}`
      : demoEntry;
    // A console token for the demo project only, printed once with the console's URL.
    const consoleEntry = `${demoProjectId}:${createHash('sha256').update(consoleToken).digest('hex')}`;
    demoEnv.CONSOLE_TOKENS = process.env.CONSOLE_TOKENS
      ? `${process.env.CONSOLE_TOKENS},${consoleEntry}`
      : consoleEntry;
    if (!config.SLACK_WEBHOOK_URL) {
      slackStandIn = new SlackStandIn((post) =>
        process.stdout.write(
          `\n┌─ Slack (local stand-in; set SLACK_WEBHOOK_URL for real Slack) received:\n${renderSlackMessage(
            post.payload,
          )
            .split('\n')
            .map((line) => `│ ${line}`)
            .join('\n')}\n└─\n`,
        ),
      );
      demoEnv.SLACK_WEBHOOK_URL = await slackStandIn.start();
    }
  }
  // A real run publishes each app's pid, url, restarts and readiness next to its data.
  const stateFile = options.smoke
    ? undefined
    : join(resolve(config.AGENTMON_DATA_DIR), 'stack.json');
  if (stateFile) mkdirSync(resolve(config.AGENTMON_DATA_DIR), { recursive: true });
  const supervisor = new AppSupervisor({
    env: { ...stringEnv(), ...infra.env, ...smokeEnv, ...demoEnv },
    logger,
    forwardLogs: !options.smoke,
    stateFile,
    services: {
      CLICKHOUSE_URL: infra.env.CLICKHOUSE_URL,
      CLICKHOUSE_DATABASE: config.CLICKHOUSE_DATABASE,
      REDIS_URL: infra.env.REDIS_URL,
      KAFKA_BROKERS: infra.env.KAFKA_BROKERS,
    },
  });
  let gatewayUrl = '';
  let consoleUrl = '';
  const stopAll = async () => {
    await supervisor.stopAll(config.SHUTDOWN_TIMEOUT_MS + 5000);
    await slackStandIn?.stop();
    await infra.stop();
  };
  try {
    const clickhouse = ClickHouseConnection.fromConfig(config, infra.env.CLICKHOUSE_URL);
    try {
      await migrateClickHouse(clickhouse, config, logger);
      await createTopics(infra.env.KAFKA_BROKERS.split(','), config, logger);
      const urls = await supervisor.startAll(options.smoke ? 0 : undefined);
      await supervisor.waitReady(60000);
      logger.info({ urls, stateFile }, 'AgentMon is ready');
      if (options.smoke) {
        const traceId = await sendSmokeTrace(urls.gateway, smokeKey, clickhouse);
        logger.info(
          { traceId },
          'smoke trace went through gateway, Kafka and sessionizer into ClickHouse',
        );
      }
      gatewayUrl = urls.gateway;
      consoleUrl = urls.console ?? '';
      if (demo) {
        // A demo that fails leaves the stack running for the user's own agents.
        const result = await runDemo({
          gatewayUrl: urls.gateway,
          apiKey: demoKey,
          projectId: demoProjectId,
          windowMs: config.AGGREGATOR_WINDOW_MS,
          queries: analyticsQueriesFor(clickhouse, config),
          minRatingCoverage: config.REPORT_MIN_RATING_COVERAGE,
          slack: slackStandIn,
          progress: Boolean(process.stderr.isTTY),
          out: (text) => process.stdout.write(text),
        }).catch((error: unknown) => {
          logger.error({ err: error }, 'the demo did not complete');
          return undefined;
        });
        if (result)
          logger.info(
            {
              traces: result.traces,
              sendMs: result.sendMs,
              pagedAfterMs: result.pagedAfterMs,
              startedMs: Date.now() - startedAt,
            },
            'demo done',
          );
      }
    } finally {
      await clickhouse.close();
    }
  } catch (error) {
    logger.error({ err: error }, 'start failed');
    await stopAll();
    throw error;
  }
  if (options.smoke) {
    await stopAll();
    logger.info(
      'smoke run passed: every app became ready, a trace went end to end, and everything stopped cleanly',
    );
    return;
  }
  if (demo && consoleUrl)
    process.stdout.write(
      `\nConsole: ${consoleUrl}/login, token ${consoleToken} (project ${demoProjectId}; this run only)\n`,
    );
  process.stdout.write(
    `\nAgentMon is running: send your agents' traces to ${gatewayUrl} (see libs/sdk/README.md); ` +
      '`npx agentmon status` in another terminal; Ctrl-C stops everything.\n',
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  logger.info('stopping AgentMon');
  await stopAll();
}

function stringEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  );
}

export function createStartCommand(): Command {
  return new Command('start')
    .description(
      'run the whole pipeline on this machine (embedded broker, Redis, ClickHouse, six apps)',
    )
    .option('--smoke', 'start everything, check readiness end to end, stop and exit')
    .option('--no-demo', 'skip the demo (backfilled healthy day, then a regression paged to Slack)')
    .action((options: StartOptions) => start(options));
}

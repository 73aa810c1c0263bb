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
import { sendSmokeTrace } from './smoke-trace';

interface StartOptions {
  smoke?: boolean;
}

/**
 * The single-machine main job: starts (or reuses) the broker, Redis and ClickHouse, migrates,
 * creates topics, runs the five apps and waits for Ctrl-C. `--smoke` proves the same path end to
 * end and exits, for CI.
 */
async function start(options: StartOptions): Promise<void> {
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
  // A real run publishes each app's pid, url, restarts and readiness next to its data.
  const stateFile = options.smoke
    ? undefined
    : join(resolve(config.AGENTMON_DATA_DIR), 'stack.json');
  if (stateFile) mkdirSync(resolve(config.AGENTMON_DATA_DIR), { recursive: true });
  const supervisor = new AppSupervisor({
    env: { ...stringEnv(), ...infra.env, ...smokeEnv },
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
  const stopAll = async () => {
    await supervisor.stopAll(config.SHUTDOWN_TIMEOUT_MS + 5000);
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
      'run the whole pipeline on this machine (embedded broker, Redis, ClickHouse, five apps)',
    )
    .option('--smoke', 'start everything, check readiness end to end, stop and exit')
    .action((options: StartOptions) => start(options));
}

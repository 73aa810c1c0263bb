import { Command } from 'commander';
import { loadConfig, redactConfig } from '@agentmon/config';
import { ClickHouseConnection, MigrationRunner } from '@agentmon/clickhouse';
import { ALL_TOPICS } from '@agentmon/contracts';
import { createKafka, ensureTopics } from '@agentmon/kafka';
import { startLocalInfrastructure } from '@agentmon/launcher';
import { createLogger } from '@agentmon/observability';
import { createHash, randomUUID } from 'node:crypto';
import { AppSupervisor } from './app-supervisor';
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
  });
  logger.info({ started: infra.started, ...infra.env }, 'infrastructure up');
  // The smoke run mints a throwaway key; a real run uses the keys configured in GATEWAY_API_KEYS.
  const smokeKey = `am_smoke_${randomUUID()}`;
  const smokeEnv: Record<string, string> = options.smoke
    ? { GATEWAY_API_KEYS: `smoke:${createHash('sha256').update(smokeKey).digest('hex')}` }
    : {};
  const supervisor = new AppSupervisor(
    { ...stringEnv(), ...infra.env, ...smokeEnv },
    logger,
    !options.smoke,
  );
  const stopAll = async () => {
    await supervisor.stopAll(config.SHUTDOWN_TIMEOUT_MS + 5000);
    await infra.stop();
  };
  try {
    const clickhouse = ClickHouseConnection.create({
      url: infra.env.CLICKHOUSE_URL,
      database: config.CLICKHOUSE_DATABASE,
      username: config.CLICKHOUSE_USER,
      password: config.CLICKHOUSE_PASSWORD,
    });
    const migrations = await new MigrationRunner(clickhouse, {
      retentionDays: config.CLICKHOUSE_RETENTION_DAYS,
    }).run();
    await clickhouse.close();
    logger.info(migrations, 'clickhouse migrated');
    const kafka = createKafka({
      brokers: infra.env.KAFKA_BROKERS.split(','),
      clientId: 'agentmon-cli',
      logger,
    });
    const created = await ensureTopics(kafka, ALL_TOPICS, config.KAFKA_TOPIC_PARTITIONS);
    logger.info({ created }, 'topics ready');
    const urls = await supervisor.startAll(options.smoke ? 0 : undefined);
    await supervisor.waitReady(urls, 60000);
    logger.info({ urls }, 'AgentMon is ready');
    if (options.smoke) {
      const traceId = await sendSmokeTrace(urls.gateway, smokeKey, clickhouse);
      logger.info(
        { traceId },
        'smoke trace went through gateway, Kafka and sessionizer into ClickHouse',
      );
    }
    await clickhouse.close();
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

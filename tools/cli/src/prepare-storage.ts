import type { AppConfig } from '@agentmon/config';
import { ClickHouseConnection, MigrationRunner } from '@agentmon/clickhouse';
import { ALL_TOPICS } from '@agentmon/contracts';
import { createKafka, ensureTopics } from '@agentmon/kafka';
import type { Logger } from 'pino';

/** Applies the ClickHouse migrations (safe when several processes run it at once). */
export async function migrateClickHouse(
  connection: ClickHouseConnection,
  config: AppConfig,
  logger: Logger,
): Promise<void> {
  const report = await new MigrationRunner(connection, {
    retentionDays: config.CLICKHOUSE_RETENTION_DAYS,
  }).run();
  logger.info(report, 'clickhouse migrated');
}

/** Creates whichever AgentMon topics the brokers lack; existing ones are kept. */
export async function createTopics(
  brokers: string[],
  config: AppConfig,
  logger: Logger,
): Promise<void> {
  const kafka = createKafka({ brokers, clientId: `${config.KAFKA_CLIENT_ID}-cli`, logger });
  const created = await ensureTopics(kafka, ALL_TOPICS, config.KAFKA_TOPIC_PARTITIONS);
  logger.info({ created }, 'topics ready');
}

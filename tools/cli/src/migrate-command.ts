import { Command } from 'commander';
import { loadConfig } from '@agentmon/config';
import { ClickHouseConnection, MigrationRunner } from '@agentmon/clickhouse';
import { createLogger } from '@agentmon/observability';

export function createMigrateCommand(): Command {
  return new Command('migrate')
    .description('apply ClickHouse migrations to CLICKHOUSE_URL')
    .action(async () => {
      const config = loadConfig();
      const logger = createLogger('agentmon-migrate', config.LOG_LEVEL);
      const connection = ClickHouseConnection.create({
        url: config.CLICKHOUSE_URL,
        database: config.CLICKHOUSE_DATABASE,
        username: config.CLICKHOUSE_USER,
        password: config.CLICKHOUSE_PASSWORD,
      });
      try {
        logger.info(
          await new MigrationRunner(connection, {
            retentionDays: config.CLICKHOUSE_RETENTION_DAYS,
          }).run(),
          'migrated',
        );
      } finally {
        await connection.close();
      }
    });
}

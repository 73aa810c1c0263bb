import { Command } from 'commander';
import { loadConfig } from '@agentmon/config';
import { ClickHouseConnection } from '@agentmon/clickhouse';
import { createLogger } from '@agentmon/observability';
import { migrateClickHouse } from './prepare-storage';

export function createMigrateCommand(): Command {
  return new Command('migrate')
    .description('apply ClickHouse migrations to CLICKHOUSE_URL')
    .action(async () => {
      const config = loadConfig();
      const connection = ClickHouseConnection.fromConfig(config);
      try {
        await migrateClickHouse(
          connection,
          config,
          createLogger('agentmon-migrate', config.LOG_LEVEL),
        );
      } finally {
        await connection.close();
      }
    });
}

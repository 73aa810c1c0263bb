import { AnalyticsQueries, ConsoleQueries } from '@agentmon/analytics-queries';
import { ClickHouseConnection } from '@agentmon/clickhouse';
import { APP_CONFIG, satisfactionWeightsOf } from '@agentmon/config';
import { DetectorEngine, detectorEngineFromConfig } from '@agentmon/detector-domain';
import { clickHouseProvider, redisProvider } from '@agentmon/stream-runtime';
import { Module } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { ApiController } from './api.controller';
import { AssetsController } from './assets.controller';
import { ConsoleTokenRegistry } from './auth/console-token-registry';
import { LoginController } from './auth/login.controller';
import { ConsoleDataService } from './console-data.service';
import type { ConsoleConfig } from './console.config';
import { PagesController } from './pages.controller';

/**
 * The detector's engine with the detector's settings and rules file, so a control chart replays
 * exactly the EWMA, baseline and limits the detector computed (an invalid file stops the console
 * at start, as it stops the detector).
 */
export function createChartEngine(config: ConsoleConfig): DetectorEngine {
  return detectorEngineFromConfig(config, (path) => readFileSync(path, 'utf8'));
}

@Module({
  controllers: [LoginController, AssetsController, ApiController, PagesController],
  providers: [
    clickHouseProvider,
    redisProvider,
    {
      provide: AnalyticsQueries,
      inject: [APP_CONFIG, ClickHouseConnection],
      useFactory: (config: ConsoleConfig, connection: ClickHouseConnection) =>
        new AnalyticsQueries(connection, {
          baseWindowS: config.AGGREGATOR_WINDOW_MS / 1000,
          maxValuesPerDimension: config.AGGREGATOR_MAX_VALUES_PER_DIMENSION,
          satisfactionWeights: satisfactionWeightsOf(config),
        }),
    },
    {
      provide: ConsoleQueries,
      inject: [APP_CONFIG, ClickHouseConnection],
      useFactory: (config: ConsoleConfig, connection: ClickHouseConnection) =>
        new ConsoleQueries(connection, { baseWindowS: config.AGGREGATOR_WINDOW_MS / 1000 }),
    },
    { provide: DetectorEngine, inject: [APP_CONFIG], useFactory: createChartEngine },
    {
      provide: ConsoleTokenRegistry,
      inject: [APP_CONFIG],
      useFactory: (config: ConsoleConfig) => new ConsoleTokenRegistry(config.CONSOLE_TOKENS),
    },
    ConsoleDataService,
  ],
})
export class ConsoleModule {}

import { AnalyticsQueries, ConsoleQueries } from '@agentmon/analytics-queries';
import { ClickHouseConnection } from '@agentmon/clickhouse';
import { APP_CONFIG, satisfactionWeightsOf } from '@agentmon/config';
import { DetectorEngine, DetectorRulesError, parseDetectorRules } from '@agentmon/detector-domain';
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
  const path = config.DETECTOR_RULES_FILE;
  let rules;
  if (path !== '') {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new DetectorRulesError(path, [`cannot read: ${(error as Error).message}`]);
    }
    rules = parseDetectorRules(text, path);
  }
  return new DetectorEngine({
    settings: {
      lambda: config.DETECTOR_EWMA_LAMBDA,
      warmupWindows: config.DETECTOR_WARMUP_WINDOWS,
      minSamples: config.DETECTOR_MIN_SAMPLES,
      resolveWindows: config.DETECTOR_RESOLVE_WINDOWS,
    },
    rules,
    mixSource: 'overall',
  });
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

import { ClickHouseConnection, ClickHouseTables } from '@agentmon/clickhouse';
import { APP_CONFIG } from '@agentmon/config';
import { DetectorEngine } from '@agentmon/detector-domain';
import { TopicProducer } from '@agentmon/kafka';
import { ClickHouseTableSink, stageResourceProviders } from '@agentmon/stream-runtime';
import { Module } from '@nestjs/common';
import Redis from 'ioredis';
import { DetectorStage } from './consumer/detector.stage';
import { detectorEngineProvider } from './detector-engine.provider';
import type { DetectorConfig } from './detector.config';
import { DetectorMetrics } from './detector.metrics';
import { DetectorSinksAdapter } from './sinks/detector-sinks.adapter';
import { RedisStateStore } from './sinks/redis-state-store';

@Module({
  providers: [
    DetectorMetrics,
    detectorEngineProvider,
    ...stageResourceProviders('detector'),
    {
      provide: DetectorSinksAdapter,
      inject: [APP_CONFIG, ClickHouseConnection, TopicProducer, Redis, DetectorMetrics],
      useFactory: (
        config: DetectorConfig,
        connection: ClickHouseConnection,
        producer: TopicProducer,
        redis: Redis,
        metrics: DetectorMetrics,
      ) =>
        new DetectorSinksAdapter(
          new ClickHouseTableSink(
            connection,
            ClickHouseTables.alerts,
            config.CLICKHOUSE_BATCH_MAX_ROWS,
          ),
          producer,
          new RedisStateStore(redis, config.DETECTOR_STATE_TTL_S, metrics),
        ),
    },
    {
      provide: DetectorStage,
      inject: [APP_CONFIG, DetectorEngine, DetectorSinksAdapter, DetectorMetrics],
      useFactory: (
        config: DetectorConfig,
        engine: DetectorEngine,
        sinks: DetectorSinksAdapter,
        metrics: DetectorMetrics,
      ) => new DetectorStage(engine, sinks, metrics, config.DETECTOR_STATE_CACHE_SERIES),
    },
  ],
})
export class DetectorModule {}

import { resolveSatisfactionWeights, WindowAggregator } from '@agentmon/aggregator-domain';
import { ClickHouseConnection, ClickHouseTables } from '@agentmon/clickhouse';
import { APP_CONFIG, satisfactionWeightsOf } from '@agentmon/config';
import { TopicProducer } from '@agentmon/kafka';
import { ClickHouseTableSink, stageResourceProviders } from '@agentmon/stream-runtime';
import { Module } from '@nestjs/common';
import Redis from 'ioredis';
import { AggregatorStage } from './consumer/aggregator.stage';
import { WindowMerger } from './consumer/window-merger';
import type { AggregatorConfig } from './aggregator.config';
import { AggregatorMetrics } from './aggregator.metrics';
import { AggregatorSinksAdapter } from './sinks/aggregator-sinks.adapter';
import { HotWindows } from './sinks/hot-windows';
import { WindowStateStore } from './sinks/window-state-store';

@Module({
  providers: [
    AggregatorMetrics,
    ...stageResourceProviders('aggregator'),
    {
      provide: AggregatorSinksAdapter,
      inject: [APP_CONFIG, ClickHouseConnection, TopicProducer, Redis],
      useFactory: (
        config: AggregatorConfig,
        connection: ClickHouseConnection,
        producer: TopicProducer,
        redis: Redis,
      ) =>
        new AggregatorSinksAdapter(
          new WindowStateStore(redis, {
            // One deployment (consumer group) per namespace: its partials, marks and merges.
            prefix: `agentmon:agg:${config.AGGREGATOR_GROUP_ID}`,
            partitions: config.KAFKA_TOPIC_PARTITIONS,
            idleCloseMs: config.AGGREGATOR_IDLE_CLOSE_MS,
            leaseMs: config.AGGREGATOR_MERGE_LEASE_MS,
            ttlSeconds: config.AGGREGATOR_STATE_TTL_S,
          }),
          new ClickHouseTableSink(
            connection,
            ClickHouseTables.metricWindows,
            config.CLICKHOUSE_BATCH_MAX_ROWS,
          ),
          new HotWindows(redis, config.AGGREGATOR_STATE_TTL_S),
          producer,
        ),
    },
    {
      provide: AggregatorStage,
      inject: [APP_CONFIG, AggregatorSinksAdapter, AggregatorMetrics],
      useFactory: (
        config: AggregatorConfig,
        sinks: AggregatorSinksAdapter,
        metrics: AggregatorMetrics,
      ) =>
        metrics.observe(
          new AggregatorStage(
            new WindowAggregator({
              windowSizeMs: config.AGGREGATOR_WINDOW_MS,
              allowedLatenessMs: config.AGGREGATOR_ALLOWED_LATENESS_MS,
              idleCloseMs: config.AGGREGATOR_IDLE_CLOSE_MS,
              maxValuesPerDimension: config.AGGREGATOR_MAX_VALUES_PER_DIMENSION,
              maxClockSkewMs: config.AGGREGATOR_MAX_CLOCK_SKEW_MS,
              closedRetentionMs: config.AGGREGATOR_CLOSED_RETENTION_MS,
              maxOpenWindows: config.AGGREGATOR_MAX_OPEN_WINDOWS,
            }),
            sinks,
            new WindowMerger(
              sinks,
              config.AGGREGATOR_MAX_VALUES_PER_DIMENSION,
              config.AGGREGATOR_MERGES_PER_CYCLE,
              resolveSatisfactionWeights(satisfactionWeightsOf(config)),
            ),
            metrics,
            {
              idleCloseMs: config.AGGREGATOR_IDLE_CLOSE_MS,
              windowSizeMs: config.AGGREGATOR_WINDOW_MS,
            },
          ),
        ),
    },
  ],
})
export class AggregatorModule {}

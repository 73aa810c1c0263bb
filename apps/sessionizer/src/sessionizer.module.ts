import {
  ClickHouseBatchWriter,
  ClickHouseConnection,
  ClickHouseTables,
} from '@agentmon/clickhouse';
import { APP_CONFIG, AppConfig } from '@agentmon/config';
import { KAFKA_CLIENT, kafkaClientProvider, TopicProducer } from '@agentmon/kafka';
import { LOGGER, ReadinessRegistry } from '@agentmon/observability';
import { SamplingPolicy, TraceAssembler } from '@agentmon/sessionizer-domain';
import { Inject, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { SpansConsumer } from './consumer/spans.consumer';
import { SessionizerPipeline } from './pipeline/sessionizer-pipeline';
import { SessionizerMetrics } from './sessionizer.metrics';
import { SessionizerSinksAdapter } from './sinks/sessionizer-sinks.adapter';
import { SummaryStore } from './sinks/summary-store';
import { UserSessionRegistry } from './sinks/user-session-registry';

function writer<Row extends object>(
  connection: ClickHouseConnection,
  table: string,
  config: AppConfig,
  logger: Logger,
) {
  return new ClickHouseBatchWriter<Row>(connection, {
    table,
    maxRows: config.CLICKHOUSE_BATCH_MAX_ROWS,
    flushIntervalMs: config.CLICKHOUSE_FLUSH_INTERVAL_MS,
    maxBufferedRows: config.CLICKHOUSE_MAX_BUFFERED_ROWS,
    retryAttempts: config.CLICKHOUSE_RETRY_ATTEMPTS,
    onRetry: ({ attempt, error }) =>
      logger.warn({ table, attempt, err: (error as Error).message }, 'clickhouse insert retry'),
  });
}

@Module({
  controllers: [SpansConsumer],
  providers: [
    SessionizerMetrics,
    kafkaClientProvider('sessionizer'),
    {
      provide: Redis,
      inject: [APP_CONFIG, ReadinessRegistry],
      useFactory: (config: AppConfig, readiness: ReadinessRegistry) => {
        const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 3, lazyConnect: false });
        readiness.register('redis', async () => (await redis.ping()) === 'PONG');
        return redis;
      },
    },
    {
      provide: ClickHouseConnection,
      inject: [APP_CONFIG, ReadinessRegistry],
      useFactory: (config: AppConfig, readiness: ReadinessRegistry) => {
        const connection = ClickHouseConnection.fromConfig(config);
        readiness.register('clickhouse', () => connection.ping());
        return connection;
      },
    },
    {
      provide: TopicProducer,
      inject: [KAFKA_CLIENT],
      useFactory: (kafka: Kafka) => new TopicProducer(kafka),
    },
    {
      provide: SessionizerSinksAdapter,
      inject: [APP_CONFIG, LOGGER, ClickHouseConnection, TopicProducer, Redis],
      useFactory: (
        config: AppConfig,
        logger: Logger,
        connection: ClickHouseConnection,
        producer: TopicProducer,
        redis: Redis,
      ) =>
        new SessionizerSinksAdapter(
          writer(connection, ClickHouseTables.spans, config, logger),
          writer(connection, ClickHouseTables.traceSummaries, config, logger),
          producer,
          new SummaryStore(redis, config.SESSIONIZER_FEEDBACK_WINDOW_S),
          new UserSessionRegistry(redis, config.SESSIONIZER_USER_MEMORY_S),
        ),
    },
    {
      provide: SessionizerPipeline,
      inject: [APP_CONFIG, SessionizerSinksAdapter, SessionizerMetrics],
      useFactory: (
        config: AppConfig,
        sinks: SessionizerSinksAdapter,
        metrics: SessionizerMetrics,
      ) =>
        new SessionizerPipeline(
          new TraceAssembler({
            rootGraceMs: config.SESSIONIZER_ROOT_GRACE_MS,
            inactivityTimeoutMs: config.SESSIONIZER_INACTIVITY_TIMEOUT_MS,
            maxOpenTraces: config.SESSIONIZER_MAX_OPEN_TRACES,
            maxSpansPerTrace: config.SESSIONIZER_MAX_SPANS_PER_TRACE,
            maxTraceDurationMs: config.SESSIONIZER_MAX_TRACE_DURATION_MS,
          }),
          new SamplingPolicy({ successRate: config.SESSIONIZER_SUCCESS_SAMPLE_RATE }),
          config.SESSIONIZER_PRICE_TABLE,
          sinks,
          metrics,
        ),
    },
  ],
})
export class SessionizerModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private ticker?: NodeJS.Timeout;

  constructor(
    @Inject(SessionizerPipeline) private readonly pipeline: SessionizerPipeline,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(TopicProducer) private readonly producer: TopicProducer,
    @Inject(Redis) private readonly redis: Redis,
    @Inject(ClickHouseConnection) private readonly clickhouse: ClickHouseConnection,
  ) {}

  onApplicationBootstrap(): void {
    this.ticker = setInterval(() => {
      this.pipeline
        .tick()
        .catch((error: unknown) =>
          this.logger.error({ err: error }, 'closing timed-out traces failed; will retry'),
        );
    }, this.config.SESSIONIZER_TICK_MS);
    this.ticker.unref();
  }

  /**
   * The consumer has stopped by now (Nest closes microservices first). Open traces stay
   * uncommitted and are rebuilt from Kafka by whoever consumes the partition next.
   */
  async onApplicationShutdown(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    await this.producer.disconnect();
    this.redis.disconnect();
    await this.clickhouse.close();
  }
}

import { ClickHouseConnection } from '@agentmon/clickhouse';
import { APP_CONFIG, ClickHouseConfig, RedisConfig, ServiceConfig } from '@agentmon/config';
import { ReadinessRegistry } from '@agentmon/observability';
import { ShutdownRegistry } from '@agentmon/service-runtime';
import type { FactoryProvider, Provider } from '@nestjs/common';
import { kafkaClientProvider, topicProducerProvider } from './kafka.providers';
import Redis from 'ioredis';
import { RetryPolicy } from './retry-policy';

/** ClickHouse from config: a readiness check, closed at shutdown. */
export const clickHouseProvider: FactoryProvider<ClickHouseConnection> = {
  provide: ClickHouseConnection,
  inject: [APP_CONFIG, ReadinessRegistry, ShutdownRegistry],
  useFactory: (
    config: ClickHouseConfig,
    readiness: ReadinessRegistry,
    shutdown: ShutdownRegistry,
  ) => {
    const connection = ClickHouseConnection.fromConfig(config);
    readiness.register('clickhouse', () => connection.ping());
    shutdown.register('clickhouse', () => connection.close());
    return connection;
  },
};

/**
 * Redis from config: a readiness check, closed at shutdown. Commands fail fast while Redis is
 * away (instead of queueing without bound); the stage runtime retries the whole write.
 */
export const redisProvider: FactoryProvider<Redis> = {
  provide: Redis,
  inject: [APP_CONFIG, ReadinessRegistry, ShutdownRegistry],
  useFactory: (config: RedisConfig, readiness: ReadinessRegistry, shutdown: ShutdownRegistry) => {
    const redis = new Redis(config.REDIS_URL, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: true,
      retryStrategy: (times) => Math.min(times * 100, 2000),
    });
    readiness.register('redis', async () => (await redis.ping()) === 'PONG');
    shutdown.register('redis', async () => {
      await redis.quit().catch(() => redis.disconnect());
    });
    return redis;
  },
};

/** The one retry policy, from RETRY_* config. */
export const retryPolicyProvider: FactoryProvider<RetryPolicy> = {
  provide: RetryPolicy,
  inject: [APP_CONFIG],
  useFactory: (config: ServiceConfig) => RetryPolicy.fromConfig(config),
};

/**
 * Every resource a consumer stage app needs, in one list for its module: the Kafka client and
 * the app's one producer, ClickHouse, Redis and the retry policy (each with its readiness check
 * and its close registered).
 */
export function stageResourceProviders(app: string): Provider[] {
  return [
    kafkaClientProvider(app),
    topicProducerProvider,
    clickHouseProvider,
    redisProvider,
    retryPolicyProvider,
  ];
}

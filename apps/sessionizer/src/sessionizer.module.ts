import { ClickHouseConnection } from '@agentmon/clickhouse';
import { APP_CONFIG } from '@agentmon/config';
import { TopicProducer } from '@agentmon/kafka';
import { ApiKeyRegistry } from '@agentmon/ingest-auth';
import { SamplingPolicy, TraceAssembler } from '@agentmon/sessionizer-domain';
import { stageResourceProviders } from '@agentmon/stream-runtime';
import { Module } from '@nestjs/common';
import Redis from 'ioredis';
import { SessionizerStage } from './consumer/sessionizer.stage';
import { SpansAdmission } from './consumer/spans-admission';
import type { SessionizerConfig } from './sessionizer.config';
import { SessionizerMetrics } from './sessionizer.metrics';
import { SessionizerSinksAdapter } from './sinks/sessionizer-sinks.adapter';
import { RevisionBasisStore } from './sinks/revision-basis-store';
import { SuccessFloorCounter } from './sinks/success-floor-counter';
import { UserSessionRegistry } from './sinks/user-session-registry';

@Module({
  providers: [
    SessionizerMetrics,
    ...stageResourceProviders('sessionizer'),
    {
      provide: SessionizerSinksAdapter,
      inject: [APP_CONFIG, ClickHouseConnection, TopicProducer, Redis],
      useFactory: (
        config: SessionizerConfig,
        connection: ClickHouseConnection,
        producer: TopicProducer,
        redis: Redis,
      ) =>
        new SessionizerSinksAdapter(
          connection,
          producer,
          new RevisionBasisStore(redis, config.SESSIONIZER_FEEDBACK_WINDOW_S),
          new UserSessionRegistry(redis, config.SESSIONIZER_USER_MEMORY_S),
          new SuccessFloorCounter(redis, config.SESSIONIZER_MIN_SUCCESSES_PER_TASK_TYPE),
          {
            maxRowsPerInsert: config.CLICKHOUSE_BATCH_MAX_ROWS,
            lateSpansWindowMs: config.SESSIONIZER_LATE_SPANS_WINDOW_S * 1000,
          },
        ),
    },
    {
      provide: SessionizerStage,
      inject: [APP_CONFIG, SessionizerSinksAdapter, SessionizerMetrics],
      useFactory: (
        config: SessionizerConfig,
        sinks: SessionizerSinksAdapter,
        metrics: SessionizerMetrics,
      ) =>
        metrics.observe(
          new SessionizerStage(
            new TraceAssembler({
              rootGraceMs: config.SESSIONIZER_ROOT_GRACE_MS,
              inactivityTimeoutMs: config.SESSIONIZER_INACTIVITY_TIMEOUT_MS,
              maxOpenTraces: config.SESSIONIZER_MAX_OPEN_TRACES,
              maxSpansPerTrace: config.SESSIONIZER_MAX_SPANS_PER_TRACE,
              maxTraceDurationMs: config.SESSIONIZER_MAX_TRACE_DURATION_MS,
            }),
            new SamplingPolicy({
              successRate: config.SESSIONIZER_SUCCESS_SAMPLE_RATE,
              minSuccessesPerTaskType: config.SESSIONIZER_MIN_SUCCESSES_PER_TASK_TYPE,
            }),
            {
              prices: config.SESSIONIZER_PRICE_TABLE,
              lateSpansWindowMs: config.SESSIONIZER_LATE_SPANS_WINDOW_S * 1000,
            },
            sinks,
            metrics,
            new SpansAdmission({
              registry: new ApiKeyRegistry(config.GATEWAY_API_KEYS),
              gatewaySecrets: config.INGEST_RECORD_SECRETS,
              requireProducerKey: requireSecretsWithKeys(config),
            }),
          ),
        ),
    },
  ],
})
export class SessionizerModule {}

/** Requiring producer keys without the gateway's secret would refuse the gateway's own records. */
function requireSecretsWithKeys(config: SessionizerConfig): boolean {
  if (config.SESSIONIZER_REQUIRE_PRODUCER_KEY && config.INGEST_RECORD_SECRETS.length === 0)
    throw new Error(
      'SESSIONIZER_REQUIRE_PRODUCER_KEY=true needs INGEST_RECORD_SECRETS (the gateway signs its records with it)',
    );
  return config.SESSIONIZER_REQUIRE_PRODUCER_KEY;
}

import { ClickHouseConnection } from '@agentmon/clickhouse';
import { APP_CONFIG } from '@agentmon/config';
import type { NotificationPolicy } from '@agentmon/contracts';
import { notifierOptions } from '@agentmon/notifier-domain';
import { createLogger } from '@agentmon/observability';
import { ShutdownRegistry } from '@agentmon/service-runtime';
import { RetryPolicy, stageResourceProviders } from '@agentmon/stream-runtime';
import { Module } from '@nestjs/common';
import Redis from 'ioredis';
import { NotifierStage } from './consumer/notifier.stage';
import { AttemptLog, NotificationDispatcher } from './delivery/notification-dispatcher';
import type { NotifierConfig } from './notifier.config';
import { NotifierMetrics } from './notifier.metrics';
import { PolicySource, readPolicyFile } from './sinks/policy-source';
import { RedisCooldownStore } from './sinks/redis-cooldown-store';
import { RedisOutbox } from './sinks/redis-outbox';
import { SlackWebhookClient } from './sinks/slack-webhook.client';

const NOTIFIER_LOGGER = Symbol('NOTIFIER_LOGGER');
const SEEN_TTL_MS = 7 * 86_400_000;
const DIGEST_ONCE_MS = 48 * 3_600_000;

type Logger = ReturnType<typeof createLogger>;

@Module({
  providers: [
    NotifierMetrics,
    ...stageResourceProviders('notifier'),
    {
      provide: NOTIFIER_LOGGER,
      inject: [APP_CONFIG],
      useFactory: (config: NotifierConfig) => createLogger('notifier', config.LOG_LEVEL),
    },
    {
      provide: PolicySource,
      inject: [APP_CONFIG, Redis, NOTIFIER_LOGGER],
      useFactory: async (config: NotifierConfig, redis: Redis, logger: Logger) => {
        const source = new PolicySource(
          redis,
          config.NOTIFIER_REDIS_PREFIX,
          readPolicyFile(config.NOTIFIER_POLICY_FILE),
          logger,
        );
        await source
          .refresh()
          .catch((error: unknown) =>
            logger.warn(
              { err: String(error) },
              'silences not loaded yet (Redis); retried each tick',
            ),
          );
        return source;
      },
    },
    {
      provide: RedisOutbox,
      inject: [APP_CONFIG, Redis],
      useFactory: (config: NotifierConfig, redis: Redis) =>
        new RedisOutbox(redis, config.NOTIFIER_REDIS_PREFIX),
    },
    {
      provide: RedisCooldownStore,
      inject: [APP_CONFIG, Redis],
      useFactory: (config: NotifierConfig, redis: Redis) =>
        new RedisCooldownStore(redis, config.NOTIFIER_REDIS_PREFIX),
    },
    {
      provide: NotificationDispatcher,
      inject: [
        APP_CONFIG,
        RedisOutbox,
        RedisCooldownStore,
        ClickHouseConnection,
        PolicySource,
        RetryPolicy,
        NotifierMetrics,
        NOTIFIER_LOGGER,
        ShutdownRegistry,
      ],
      useFactory: (
        config: NotifierConfig,
        outbox: RedisOutbox,
        cooldowns: RedisCooldownStore,
        clickhouse: ClickHouseConnection,
        policy: PolicySource,
        retry: RetryPolicy,
        metrics: NotifierMetrics,
        logger: Logger,
        shutdown: ShutdownRegistry,
      ) => {
        const attemptLog = new AttemptLog();
        const maxRetryAfterMs = config.NOTIFIER_MAX_RETRY_AFTER_MS;
        const holder: { dispatcher?: NotificationDispatcher } = {};
        const slack = new SlackWebhookClient({
          webhookUrl: config.SLACK_WEBHOOK_URL || undefined,
          retryPolicy: retry.withMaxAttempts(config.NOTIFIER_MAX_ATTEMPTS),
          timeoutMs: config.NOTIFIER_SLACK_TIMEOUT_MS,
          maxRetryAfterMs,
          onAttempt: attemptLog.record,
          logger,
          shouldStop: () => holder.dispatcher?.stopped ?? false,
        });
        // A lease outlives the longest delivery round: every attempt timing out after the
        // longest wait, plus a margin.
        const leaseMs =
          config.NOTIFIER_MAX_ATTEMPTS *
            (config.NOTIFIER_SLACK_TIMEOUT_MS +
              Math.max(config.RETRY_MAX_DELAY_MS, maxRetryAfterMs)) +
          1_000;
        const dispatcher = new NotificationDispatcher({
          outbox,
          cooldowns,
          slack,
          attemptLog,
          clickhouse,
          policy,
          metrics,
          logger,
          settings: {
            concurrency: config.NOTIFIER_DELIVERY_CONCURRENCY,
            leaseMs,
            parkRetryMs: config.NOTIFIER_PARK_RETRY_MS,
            parkMaxRetryMs: config.NOTIFIER_PARK_MAX_RETRY_MS,
            tickMs: config.NOTIFIER_TICK_MS,
            digestHourUtc: config.NOTIFIER_DIGEST_HOUR_UTC,
            channel: config.SLACK_CHANNEL,
            digestOnceMs: DIGEST_ONCE_MS,
            database: config.CLICKHOUSE_DATABASE,
            journalBatch: 1000,
          },
        });
        logger.info({ slack: slack.mode, lease_ms: leaseMs }, 'notifier delivery configured');
        dispatcher.start();
        holder.dispatcher = dispatcher;
        shutdown.register('notifier-dispatcher', () => dispatcher.stop());
        return dispatcher;
      },
    },
    {
      provide: NotifierStage,
      inject: [
        APP_CONFIG,
        RedisOutbox,
        RedisCooldownStore,
        PolicySource,
        NotificationDispatcher,
        NotifierMetrics,
        NOTIFIER_LOGGER,
      ],
      useFactory: (
        config: NotifierConfig,
        outbox: RedisOutbox,
        cooldowns: RedisCooldownStore,
        policy: PolicySource,
        dispatcher: NotificationDispatcher,
        metrics: NotifierMetrics,
        logger: Logger,
      ) => {
        const stage: NotifierStage = new NotifierStage(
          {
            refreshPolicy: (now) => policy.refresh(now),
            claim: (operation) => cooldowns.claim(operation),
            enqueue: (envelope, now, journal) =>
              outbox.enqueue(envelope, now, SEEN_TTL_MS, journal),
            journal: (entries) => outbox.journal(entries),
          },
          {
            options: notifierOptions({
              cooldownMs: config.NOTIFIER_COOLDOWN_MS,
              groupWaitMs: config.NOTIFIER_GROUP_WAIT_MS,
              sendResolved: config.NOTIFIER_SEND_RESOLVED,
              digestHourUtc: config.NOTIFIER_DIGEST_HOUR_UTC,
              channel: config.SLACK_CHANNEL,
            }),
            maxPendingAlerts: config.NOTIFIER_MAX_PENDING_ALERTS,
          },
          (): NotificationPolicy => policy.current,
          {
            decided: (decisions) => {
              for (const d of decisions) {
                metrics.decisions.inc({ reason: d.reason });
                logger.info(
                  {
                    decision: d.reason,
                    alert_id: d.alert.alert_id,
                    project_id: d.alert.project_id,
                    metric: d.alert.metric,
                    slice: `${d.alert.slice.dimension}=${d.alert.slice.value}`,
                    severity: d.alert.severity,
                    state: d.alert.state,
                    ...(d.detail ? { detail: d.detail } : {}),
                    ...(d.silence_id ? { silence_id: d.silence_id } : {}),
                    ...(d.notification_id ? { notification_id: d.notification_id } : {}),
                  },
                  'alert decision',
                );
              }
              metrics.pendingAlerts.set(stage.pendingAlerts);
            },
            queued: () => dispatcher.kick(),
          },
        );
        return stage;
      },
    },
  ],
})
export class NotifierModule {}

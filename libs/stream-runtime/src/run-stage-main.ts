import { ALL_TOPICS } from '@agentmon/contracts';
import { KafkaConfig, ServiceConfig } from '@agentmon/config';
import { TopicProducer } from '@agentmon/kafka';
import { ReadinessRegistry } from '@agentmon/observability';
import { runServiceMain, ServiceMainOptions } from '@agentmon/service-runtime';
import type { InjectionToken } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { Registry } from 'prom-client';
import type { z } from 'zod';
import { KAFKA_CLIENT } from './kafka.providers';
import { RetryPolicy } from './retry-policy';
import type { Stage } from './stage';
import { StageServer } from './stage-server';

type ConfigSchema = z.ZodObject<z.ZodRawShape>;

/** A consumer stage's Kafka settings, read from its config slice. */
export interface StageSettings {
  groupId: string;
  sessionTimeoutMs: number;
  partitionsConcurrently: number;
  tickMs: number;
}

export interface StageMainOptions<S extends ConfigSchema> extends Omit<
  ServiceMainOptions<S>,
  'configure'
> {
  /** The provider (in the app's module) implementing the Stage. */
  stage: InjectionToken;
  settings: (config: z.infer<S>) => StageSettings;
}

/**
 * The whole `main.ts` of a consumer stage: the service runtime plus the stage transport, with
 * the app's one producer, retry policy and readiness. The module must provide KAFKA_CLIENT,
 * TopicProducer, RetryPolicy and the stage.
 */
export function runStageMain<S extends ConfigSchema>(options: StageMainOptions<S>) {
  return runServiceMain({
    ...options,
    configure: async (app, config, logger) => {
      const settings = options.settings(config);
      const kafkaConfig = config as unknown as KafkaConfig & ServiceConfig;
      const server = new StageServer(app.get<Stage<never, unknown>>(options.stage), {
        app: options.app,
        kafka: app.get<Kafka>(KAFKA_CLIENT),
        producer: app.get(TopicProducer),
        retry: app.get(RetryPolicy),
        readiness: app.get(ReadinessRegistry),
        registry: app.get(Registry),
        logger,
        groupId: settings.groupId,
        sessionTimeoutMs: settings.sessionTimeoutMs,
        partitionsConcurrently: settings.partitionsConcurrently,
        tickMs: settings.tickMs,
        ensureTopics: { topics: ALL_TOPICS, partitions: kafkaConfig.KAFKA_TOPIC_PARTITIONS },
      });
      app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
      await app.startAllMicroservices();
    },
  });
}

import 'reflect-metadata';
import { ALL_TOPICS, Topics } from '@agentmon/contracts';
import { KAFKA_CLIENT, KafkaBatchServer } from '@agentmon/kafka';
import { runServiceMain } from '@agentmon/observability';
import type { Kafka } from 'kafkajs';
import { SessionizerModule } from './sessionizer.module';

void runServiceMain({
  app: 'sessionizer',
  module: SessionizerModule,
  port: (config) => config.SESSIONIZER_PORT,
  configure: async (app, config, logger) => {
    app.connectMicroservice(
      {
        strategy: new KafkaBatchServer({
          kafka: app.get<Kafka>(KAFKA_CLIENT),
          app: 'sessionizer',
          groupId: config.SESSIONIZER_GROUP_ID,
          topics: [Topics.spans],
          sessionTimeoutMs: config.SESSIONIZER_SESSION_TIMEOUT_MS,
          partitionsConsumedConcurrently: config.SESSIONIZER_PARTITIONS_CONCURRENTLY,
          ensureTopics: { topics: ALL_TOPICS, partitions: config.KAFKA_TOPIC_PARTITIONS },
          logger,
        }),
      },
      { inheritAppConfig: true },
    );
    await app.startAllMicroservices();
  },
});

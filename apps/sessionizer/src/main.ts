import 'reflect-metadata';
import { ALL_TOPICS, Topics } from '@agentmon/contracts';
import { KAFKA_CLIENT, KafkaBatchServer } from '@agentmon/kafka';
import { runServiceMain } from '@agentmon/observability';
import type { Kafka } from 'kafkajs';
import { SessionizerPipeline } from './pipeline/sessionizer-pipeline';
import { SessionizerModule } from './sessionizer.module';

void runServiceMain({
  app: 'sessionizer',
  module: SessionizerModule,
  port: (config) => config.SESSIONIZER_PORT,
  configure: async (app, config, logger) => {
    const server = new KafkaBatchServer({
      kafka: app.get<Kafka>(KAFKA_CLIENT),
      app: 'sessionizer',
      groupId: config.SESSIONIZER_GROUP_ID,
      topics: [Topics.spans],
      sessionTimeoutMs: config.SESSIONIZER_SESSION_TIMEOUT_MS,
      partitionsConsumedConcurrently: config.SESSIONIZER_PARTITIONS_CONCURRENTLY,
      ensureTopics: { topics: ALL_TOPICS, partitions: config.KAFKA_TOPIC_PARTITIONS },
      logger,
    });
    const pipeline = app.get(SessionizerPipeline);
    server.onAssignment((assignment) => {
      const revoked = pipeline.retainPartitions(assignment[Topics.spans] ?? []);
      if (revoked.length > 0)
        logger.info(
          { revoked },
          'partitions moved to another instance; their open traces are dropped here',
        );
    });
    app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
    await app.startAllMicroservices();
  },
});

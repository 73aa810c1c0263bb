import { APP_CONFIG, KafkaConfig } from '@agentmon/config';
import { createKafka, kafkaReadinessCheck, TopicProducer } from '@agentmon/kafka';
import { LOGGER, ReadinessRegistry } from '@agentmon/observability';
import { ShutdownRegistry } from '@agentmon/service-runtime';
import type { FactoryProvider } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';

/** Injection token of the app's kafkajs client. */
export const KAFKA_CLIENT = Symbol('agentmon.kafka-client');

/** The app's kafkajs client from config, logging through pino, registered as a readiness check. */
export function kafkaClientProvider(app: string): FactoryProvider<Kafka> {
  return {
    provide: KAFKA_CLIENT,
    inject: [APP_CONFIG, LOGGER, ReadinessRegistry],
    useFactory: (config: KafkaConfig, logger: Logger, readiness: ReadinessRegistry) => {
      const kafka = createKafka({
        brokers: config.KAFKA_BROKERS,
        clientId: `${config.KAFKA_CLIENT_ID}-${app}`,
        logger,
      });
      readiness.register('kafka', kafkaReadinessCheck(kafka));
      return kafka;
    },
  };
}

/** The app's one producer: its output topics and its dead letters; disconnected at shutdown. */
export const topicProducerProvider: FactoryProvider<TopicProducer> = {
  provide: TopicProducer,
  inject: [KAFKA_CLIENT, ShutdownRegistry],
  useFactory: (kafka: Kafka, shutdown: ShutdownRegistry) => {
    const producer = new TopicProducer(kafka);
    shutdown.register('kafka producer', () => producer.disconnect());
    return producer;
  },
};

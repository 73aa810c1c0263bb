import { APP_CONFIG, AppConfig } from '@agentmon/config';
import { LOGGER, ReadinessRegistry } from '@agentmon/observability';
import type { FactoryProvider } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { createKafka } from './create-kafka';
import { kafkaReadinessCheck } from './ensure-topics';

/** Injection token of the app's kafkajs client. */
export const KAFKA_CLIENT = Symbol('agentmon.kafka-client');

/** The app's kafkajs client from config, logging through pino, registered as a readiness check. */
export function kafkaClientProvider(app: string): FactoryProvider<Kafka> {
  return {
    provide: KAFKA_CLIENT,
    inject: [APP_CONFIG, LOGGER, ReadinessRegistry],
    useFactory: (config: AppConfig, logger: Logger, readiness: ReadinessRegistry) => {
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

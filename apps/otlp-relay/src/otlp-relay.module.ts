import { APP_CONFIG } from '@agentmon/config';
import { ApiKeyRegistry } from '@agentmon/ingest-auth';
import { TopicProducer } from '@agentmon/kafka';
import {
  kafkaClientProvider,
  retryPolicyProvider,
  topicProducerProvider,
} from '@agentmon/stream-runtime';
import { Module } from '@nestjs/common';
import { OtlpBatchDecoder } from './consumer/otlp-batch-decoder';
import { OtlpRelayStage } from './consumer/otlp-relay.stage';
import type { OtlpRelayConfig } from './otlp-relay.config';
import { OtlpRelayMetrics } from './otlp-relay.metrics';
import { SpansTopicPublisher } from './sinks/spans-topic-publisher';

@Module({
  providers: [
    OtlpRelayMetrics,
    kafkaClientProvider('otlp-relay'),
    topicProducerProvider,
    retryPolicyProvider,
    {
      provide: OtlpRelayStage,
      inject: [APP_CONFIG, TopicProducer, OtlpRelayMetrics],
      useFactory: (config: OtlpRelayConfig, producer: TopicProducer, metrics: OtlpRelayMetrics) =>
        new OtlpRelayStage(
          new OtlpBatchDecoder(
            requiredTopic(config),
            config.OTLP_KAFKA_ENCODING,
            new ApiKeyRegistry(config.GATEWAY_API_KEYS),
          ),
          new SpansTopicPublisher(producer, { signingSecret: config.INGEST_RECORD_SECRETS[0] }),
          { app: 'otlp-relay', group: config.OTLP_RELAY_GROUP_ID },
          metrics,
        ),
    },
  ],
})
export class OtlpRelayModule {}

/** The relay exists to read that topic: started without it, it says so and exits. */
function requiredTopic(config: OtlpRelayConfig): string {
  if (!config.OTLP_KAFKA_TOPIC)
    throw new Error(
      'OTLP_KAFKA_TOPIC is empty: set it to the topic of the Collector Kafka exporter (docs/otlp.md)',
    );
  return config.OTLP_KAFKA_TOPIC;
}

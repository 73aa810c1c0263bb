import { APP_CONFIG } from '@agentmon/config';
import { Topics } from '@agentmon/contracts';
import { GATEWAY_MAC_HEADER, signGatewayRecord } from '@agentmon/ingest-auth';
import { RawMessage, ThreadedProducer } from '@agentmon/kafka';
import { kafkaClientProvider } from '@agentmon/stream-runtime';
import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { ApiKeyGuard } from './auth/api-key.guard';
import { ApiKeyRegistry } from './auth/api-key-registry';
import type { GatewayConfig } from './gateway.config';
import { GatewayMetrics } from './gateway.metrics';
import { IngestController } from './ingest/ingest.controller';
import { OtlpController } from './ingest/otlp.controller';
import { KeyedMessage, ProduceCoalescer } from './kafka/produce-coalescer';

/**
 * The gateway's mark on its records (HMAC by INGEST_RECORD_SECRETS): the sessionizer then knows
 * their project_id was set from an API key here, and tells them from direct producers' records.
 */
function signed(secret: string | undefined, messages: KeyedMessage[]): RawMessage[] {
  if (!secret) return messages;
  return messages.map((message) => ({
    ...message,
    headers: {
      [GATEWAY_MAC_HEADER]: signGatewayRecord(secret, { topic: Topics.spans, ...message }),
    },
  }));
}

@Module({
  controllers: [IngestController, OtlpController],
  providers: [
    GatewayMetrics,
    ApiKeyGuard,
    {
      provide: ApiKeyRegistry,
      inject: [APP_CONFIG],
      useFactory: (config: GatewayConfig) => new ApiKeyRegistry(config.GATEWAY_API_KEYS),
    },
    kafkaClientProvider('gateway'),
    {
      provide: ThreadedProducer,
      inject: [APP_CONFIG],
      useFactory: (config: GatewayConfig) =>
        new ThreadedProducer({
          brokers: config.KAFKA_BROKERS,
          clientId: `${config.KAFKA_CLIENT_ID}-gateway`,
        }),
    },
    {
      provide: ProduceCoalescer,
      inject: [APP_CONFIG, ThreadedProducer],
      useFactory: (config: GatewayConfig, producer: ThreadedProducer) =>
        new ProduceCoalescer({
          send: (messages) =>
            producer.publishRaw(Topics.spans, signed(config.INGEST_RECORD_SECRETS[0], messages)),
          lingerMs: config.GATEWAY_PRODUCE_LINGER_MS,
          maxBatchMessages: 5000,
          maxPendingMessages: config.GATEWAY_MAX_PENDING_RECORDS,
          timeoutMs: config.GATEWAY_PRODUCE_TIMEOUT_MS,
        }),
    },
  ],
})
export class GatewayModule implements OnApplicationShutdown {
  constructor(
    @Inject(ProduceCoalescer) private readonly coalescer: ProduceCoalescer,
    @Inject(ThreadedProducer) private readonly producer: ThreadedProducer,
  ) {}

  /** Requests already accepted finish producing before the producer disconnects. */
  async onApplicationShutdown(): Promise<void> {
    await this.coalescer.drain();
    await this.producer.disconnect();
  }
}

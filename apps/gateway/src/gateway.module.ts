import { APP_CONFIG } from '@agentmon/config';
import { Topics } from '@agentmon/contracts';
import { ThreadedProducer } from '@agentmon/kafka';
import { kafkaClientProvider } from '@agentmon/stream-runtime';
import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { ApiKeyGuard } from './auth/api-key.guard';
import { ApiKeyRegistry } from './auth/api-key-registry';
import type { GatewayConfig } from './gateway.config';
import { GatewayMetrics } from './gateway.metrics';
import { IngestController } from './ingest/ingest.controller';
import { OtlpController } from './ingest/otlp.controller';
import { ProduceCoalescer } from './kafka/produce-coalescer';

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
          send: (messages) => producer.publishRaw(Topics.spans, messages),
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

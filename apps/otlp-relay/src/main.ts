import 'reflect-metadata';
import { runStageMain } from '@agentmon/stream-runtime';
import { OtlpRelayStage } from './consumer/otlp-relay.stage';
import { OtlpRelayConfigSchema } from './otlp-relay.config';
import { OtlpRelayModule } from './otlp-relay.module';

void runStageMain({
  app: 'otlp-relay',
  module: OtlpRelayModule,
  config: OtlpRelayConfigSchema,
  port: (config) => config.OTLP_RELAY_PORT,
  stage: OtlpRelayStage,
  settings: (config) => ({
    groupId: config.OTLP_RELAY_GROUP_ID,
    sessionTimeoutMs: config.OTLP_RELAY_SESSION_TIMEOUT_MS,
    partitionsConcurrently: config.OTLP_RELAY_PARTITIONS_CONCURRENTLY,
    tickMs: config.OTLP_RELAY_TICK_MS,
  }),
});

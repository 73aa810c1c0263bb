import 'reflect-metadata';
import { runStageMain } from '@agentmon/stream-runtime';
import { SessionizerStage } from './consumer/sessionizer.stage';
import { SessionizerConfigSchema } from './sessionizer.config';
import { SessionizerModule } from './sessionizer.module';

void runStageMain({
  app: 'sessionizer',
  module: SessionizerModule,
  config: SessionizerConfigSchema,
  port: (config) => config.SESSIONIZER_PORT,
  stage: SessionizerStage,
  settings: (config) => ({
    groupId: config.SESSIONIZER_GROUP_ID,
    sessionTimeoutMs: config.SESSIONIZER_SESSION_TIMEOUT_MS,
    partitionsConcurrently: config.SESSIONIZER_PARTITIONS_CONCURRENTLY,
    tickMs: config.SESSIONIZER_TICK_MS,
  }),
});

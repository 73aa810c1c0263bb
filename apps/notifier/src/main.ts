import 'reflect-metadata';
import { runStageMain } from '@agentmon/stream-runtime';
import { NotifierStage } from './consumer/notifier.stage';
import { NotifierConfigSchema } from './notifier.config';
import { NotifierModule } from './notifier.module';

void runStageMain({
  app: 'notifier',
  module: NotifierModule,
  config: NotifierConfigSchema,
  port: (config) => config.NOTIFIER_PORT,
  stage: NotifierStage,
  settings: (config) => ({
    groupId: config.NOTIFIER_GROUP_ID,
    sessionTimeoutMs: config.NOTIFIER_SESSION_TIMEOUT_MS,
    partitionsConcurrently: config.NOTIFIER_PARTITIONS_CONCURRENTLY,
    tickMs: config.NOTIFIER_TICK_MS,
  }),
});

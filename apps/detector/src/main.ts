import 'reflect-metadata';
import { runStageMain } from '@agentmon/stream-runtime';
import { DetectorStage } from './consumer/detector.stage';
import { DetectorConfigSchema } from './detector.config';
import { DetectorModule } from './detector.module';

void runStageMain({
  app: 'detector',
  module: DetectorModule,
  config: DetectorConfigSchema,
  port: (config) => config.DETECTOR_PORT,
  stage: DetectorStage,
  settings: (config) => ({
    groupId: config.DETECTOR_GROUP_ID,
    sessionTimeoutMs: config.DETECTOR_SESSION_TIMEOUT_MS,
    partitionsConcurrently: config.DETECTOR_PARTITIONS_CONCURRENTLY,
    tickMs: config.DETECTOR_TICK_MS,
  }),
});

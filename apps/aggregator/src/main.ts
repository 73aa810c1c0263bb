import 'reflect-metadata';
import { runStageMain } from '@agentmon/stream-runtime';
import { AggregatorStage } from './consumer/aggregator.stage';
import { AggregatorConfigSchema } from './aggregator.config';
import { AggregatorModule } from './aggregator.module';

void runStageMain({
  app: 'aggregator',
  module: AggregatorModule,
  config: AggregatorConfigSchema,
  port: (config) => config.AGGREGATOR_PORT,
  stage: AggregatorStage,
  settings: (config) => ({
    groupId: config.AGGREGATOR_GROUP_ID,
    sessionTimeoutMs: config.AGGREGATOR_SESSION_TIMEOUT_MS,
    partitionsConcurrently: config.AGGREGATOR_PARTITIONS_CONCURRENTLY,
    tickMs: config.AGGREGATOR_TICK_MS,
  }),
});

import 'reflect-metadata';
import { runServiceMain } from '@agentmon/observability';
import { AggregatorModule } from './aggregator.module';

void runServiceMain({
  app: 'aggregator',
  module: AggregatorModule,
  port: (config) => config.AGGREGATOR_PORT,
});

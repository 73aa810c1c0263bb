import 'reflect-metadata';
import { runServiceMain } from '@agentmon/observability';
import { DetectorModule } from './detector.module';

void runServiceMain({
  app: 'detector',
  module: DetectorModule,
  port: (config) => config.DETECTOR_PORT,
});

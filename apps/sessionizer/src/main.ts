import 'reflect-metadata';
import { runServiceMain } from '@agentmon/observability';
import { SessionizerModule } from './sessionizer.module';

void runServiceMain({
  app: 'sessionizer',
  module: SessionizerModule,
  port: (config) => config.SESSIONIZER_PORT,
});

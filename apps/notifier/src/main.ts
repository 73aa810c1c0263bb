import 'reflect-metadata';
import { runServiceMain } from '@agentmon/observability';
import { NotifierModule } from './notifier.module';

void runServiceMain({
  app: 'notifier',
  module: NotifierModule,
  port: (config) => config.NOTIFIER_PORT,
});

import 'reflect-metadata';
import { runServiceMain } from '@agentmon/service-runtime';
import { ConsoleConfigSchema } from './console.config';
import { ConsoleModule } from './console.module';
import { configureConsole } from './console-server';

void runServiceMain({
  app: 'console',
  module: ConsoleModule,
  config: ConsoleConfigSchema,
  port: (config) => config.CONSOLE_PORT,
  configure: (app, _config, logger) => configureConsole(app, logger),
});

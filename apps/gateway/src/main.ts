import 'reflect-metadata';
import { runServiceMain } from '@agentmon/observability';
import { GatewayModule } from './gateway.module';

void runServiceMain({
  app: 'gateway',
  module: GatewayModule,
  port: (config) => config.GATEWAY_PORT,
});

import 'reflect-metadata';
import { runServiceMain } from '@agentmon/service-runtime';
import { GatewayConfigSchema } from './gateway.config';
import { GatewayMetrics } from './gateway.metrics';
import { GatewayModule } from './gateway.module';

void runServiceMain({
  app: 'gateway',
  module: GatewayModule,
  config: GatewayConfigSchema,
  port: (config) => config.GATEWAY_PORT,
  bodyLimitBytes: (config) => config.GATEWAY_MAX_BODY_BYTES,
  // Counted at the HTTP layer so 401s from the guard and 413s from the body parser show up too.
  configure: (app) => {
    const metrics = app.get(GatewayMetrics);
    app
      .getHttpAdapter()
      .getInstance()
      .addHook('onResponse', async (request, reply) => {
        const route = request.routeOptions.url ?? 'unmatched';
        metrics.requests.inc({ route, status: String(reply.statusCode) });
      });
  },
});

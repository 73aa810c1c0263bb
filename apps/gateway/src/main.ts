import 'reflect-metadata';
import { runServiceMain } from '@agentmon/service-runtime';
import { GatewayConfigSchema } from './gateway.config';
import { ApiKeyRegistry } from './auth/api-key-registry';
import { registerIngestEdge } from './edge/ingest-edge';
import { GatewayMetrics } from './gateway.metrics';
import { GatewayModule } from './gateway.module';

void runServiceMain({
  app: 'gateway',
  module: GatewayModule,
  config: GatewayConfigSchema,
  port: (config) => config.GATEWAY_PORT,
  bodyLimitBytes: (config) => config.GATEWAY_MAX_BODY_BYTES,
  // Counted at the HTTP layer so 401s from the guard and 413s from the body parser show up too.
  configure: (app, config) => {
    const metrics = app.get(GatewayMetrics);
    const fastify = app.getHttpAdapter().getInstance();
    // Key check and Content-Encoding before any body byte is read (see edge/ingest-edge.ts).
    registerIngestEdge(fastify, {
      keys: app.get(ApiKeyRegistry),
      maxBodyBytes: config.GATEWAY_MAX_BODY_BYTES,
    });
    fastify.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      metrics.requests.inc({ route, status: String(reply.statusCode) });
    });
  },
});

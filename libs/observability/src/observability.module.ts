import { DynamicModule, Global, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { HealthController } from './health.controller';
import { LOGGER } from './observability.tokens';
import { ReadinessRegistry } from './readiness-registry';

export interface ObservabilityOptions {
  app: string;
  logger: Logger;
  readiness: ReadinessRegistry;
}

/** /healthz, /readyz and /metrics for every app, plus the logger and the metrics registry. */
@Global()
@Module({})
export class ObservabilityModule {
  static forApp(options: ObservabilityOptions): DynamicModule {
    const registry = new Registry();
    registry.setDefaultLabels({ app: options.app });
    collectDefaultMetrics({ register: registry });
    return {
      module: ObservabilityModule,
      controllers: [HealthController],
      providers: [
        { provide: LOGGER, useValue: options.logger },
        { provide: Registry, useValue: registry },
        { provide: ReadinessRegistry, useValue: options.readiness },
      ],
      exports: [LOGGER, Registry, ReadinessRegistry],
    };
  }
}

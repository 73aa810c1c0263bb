import type { AppConfig } from '@agentmon/config';
import { DynamicModule, INestApplication, ModuleMetadata, Type } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { announceListening } from './announce-listening';
import { ObservabilityModule } from './observability.module';
import { PinoNestLogger } from './pino-nest-logger';
import { ReadinessRegistry } from './readiness-registry';

export interface HttpServiceOptions {
  app: string;
  /** The app's own root module; it gets the observability module beside it. */
  module: Type<unknown> | DynamicModule;
  config?: AppConfig;
  host: string;
  port: number;
  logger: Logger;
  shutdownTimeoutMs: number;
  bodyLimitBytes?: number;
  /** Extra set-up between create and listen (e.g. connecting a microservice transport). */
  configure?: (app: NestFastifyApplication) => Promise<void> | void;
}

export interface RunningService {
  app: INestApplication;
  url: string;
  readiness: ReadinessRegistry;
  /** Stops taking work, drains in-flight work through Nest's shutdown hooks, then closes. */
  shutdown(reason: string): Promise<void>;
}

export async function startHttpService(options: HttpServiceOptions): Promise<RunningService> {
  const readiness = new ReadinessRegistry();
  const imports: ModuleMetadata['imports'] = [
    ObservabilityModule.forApp({
      app: options.app,
      logger: options.logger,
      readiness,
      config: options.config,
    }),
    options.module,
  ];
  @Module({ imports })
  class ServiceRootModule {}

  const app = await NestFactory.create<NestFastifyApplication>(
    ServiceRootModule,
    new FastifyAdapter({ bodyLimit: options.bodyLimitBytes ?? 1048576, logger: false }),
    { logger: new PinoNestLogger(options.logger), bufferLogs: false },
  );
  await options.configure?.(app);
  await app.listen(options.port, options.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${options.host}:${port}`;
  let closing: Promise<void> | undefined;
  const shutdown = (reason: string) => {
    closing ??= (async () => {
      options.logger.info({ reason }, 'shutting down: draining in-flight work');
      readiness.markDraining();
      const timeout = new Promise<void>((resolve) =>
        setTimeout(resolve, options.shutdownTimeoutMs).unref(),
      );
      await Promise.race([app.close(), timeout]);
      options.logger.info({ reason }, 'shut down');
    })();
    return closing;
  };
  options.logger.info({ url }, `${options.app} listening`);
  announceListening(options.app, url);
  return { app, url, readiness, shutdown };
}

/** Wires SIGTERM/SIGINT to a graceful shutdown, then exits. */
export function exitOnSignals(service: RunningService, logger: Logger): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void service.shutdown(signal).then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}

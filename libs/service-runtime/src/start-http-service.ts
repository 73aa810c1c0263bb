import {
  ObservabilityModule,
  PinoNestLogger,
  ReadinessRegistry,
  announceListening,
} from '@agentmon/observability';
import { DynamicModule, INestApplication, Module, ModuleMetadata, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { ServiceModule } from './service.module';
import { ShutdownRegistry } from './shutdown-registry';

export interface HttpServiceOptions {
  app: string;
  /** The app's own root module; it gets the observability and service modules beside it. */
  module: Type<unknown> | DynamicModule;
  /** The app's validated config slice, injectable as APP_CONFIG. */
  config?: object;
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
  const resources = new ShutdownRegistry();
  const imports: ModuleMetadata['imports'] = [
    ObservabilityModule.forApp({ app: options.app, logger: options.logger, readiness }),
    ServiceModule.forApp(options.config ?? {}, resources),
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
      const drain = (async () => {
        // Nest stops the consumers first (they drain and commit), then the HTTP server.
        await app.close();
        await resources.closeAll((name, error) =>
          options.logger.error({ err: error, resource: name }, 'closing a resource failed'),
        );
      })();
      const timeout = new Promise<void>((resolve) =>
        setTimeout(resolve, options.shutdownTimeoutMs).unref(),
      );
      await Promise.race([drain, timeout]);
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

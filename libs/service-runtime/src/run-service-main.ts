import { createLogger } from '@agentmon/observability';
import { loadConfig, ServiceConfig } from '@agentmon/config';
import type { DynamicModule, Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { exitOnSignals, RunningService, startHttpService } from './start-http-service';

type ConfigSchema = z.ZodObject<z.ZodRawShape>;

export interface ServiceMainOptions<S extends ConfigSchema> {
  app: string;
  module: Type<unknown> | DynamicModule;
  /** The app's config slice: only these variables are read and validated. */
  config: S;
  port: (config: z.infer<S>) => number;
  bodyLimitBytes?: (config: z.infer<S>) => number;
  configure?: (
    app: NestFastifyApplication,
    config: z.infer<S>,
    logger: Logger,
  ) => Promise<void> | void;
}

/**
 * The whole `main.ts` of every app: validated config (a bad variable stops the process with a
 * message naming it), JSON logs, HTTP health/metrics, signal-driven graceful shutdown. A promise
 * rejection nobody handled is a bug: it is logged as fatal and the process exits, so the
 * supervisor restarts it from its last commit instead of running on in an unknown state.
 */
export async function runServiceMain<S extends ConfigSchema>(
  options: ServiceMainOptions<S>,
): Promise<RunningService | undefined> {
  let config: z.infer<S> & ServiceConfig;
  try {
    config = loadConfig(options.config) as z.infer<S> & ServiceConfig;
  } catch (error) {
    process.stderr.write(
      `${JSON.stringify({ level: 'fatal', app: options.app, msg: (error as Error).message })}\n`,
    );
    process.exitCode = 1;
    return undefined;
  }
  const logger = createLogger(options.app, config.LOG_LEVEL);
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'unhandled promise rejection; exiting to restart cleanly');
    process.exit(1);
  });
  try {
    const service = await startHttpService({
      app: options.app,
      module: options.module,
      config,
      host: config.HTTP_HOST,
      port: options.port(config),
      logger,
      shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
      bodyLimitBytes: options.bodyLimitBytes?.(config),
      configure: (app) => options.configure?.(app, config, logger),
    });
    exitOnSignals(service, logger);
    return service;
  } catch (error) {
    logger.fatal({ err: error }, 'failed to start');
    process.exit(1);
  }
}

import type { DynamicModule, Type } from '@nestjs/common';
import { AppConfig, loadConfig } from '@agentmon/config';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { createLogger } from './create-logger';
import { exitOnSignals, RunningService, startHttpService } from './start-http-service';

export interface ServiceMainOptions {
  app: string;
  module: Type<unknown> | DynamicModule;
  port: (config: AppConfig) => number;
  bodyLimitBytes?: (config: AppConfig) => number;
  configure?: (
    app: NestFastifyApplication,
    config: AppConfig,
    logger: Logger,
  ) => Promise<void> | void;
}

/**
 * The whole `main.ts` of every app: validated config (a bad variable stops the process with a
 * message naming it), JSON logs, HTTP health/metrics, signal-driven graceful shutdown.
 */
export async function runServiceMain(
  options: ServiceMainOptions,
): Promise<RunningService | undefined> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    process.stderr.write(
      `${JSON.stringify({ level: 'fatal', app: options.app, msg: (error as Error).message })}\n`,
    );
    process.exitCode = 1;
    return undefined;
  }
  const logger = createLogger(options.app, config.LOG_LEVEL);
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

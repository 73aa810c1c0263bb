import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { consoleAuthHook } from './auth/console-auth';
import { ConsoleTokenRegistry } from './auth/console-token-registry';

/**
 * What the console adds to its Fastify instance before it listens (main.ts and the tests run
 * the same): the token gate in front of every route.
 */
export function configureConsole(app: NestFastifyApplication, logger: Logger): void {
  const tokens = app.get(ConsoleTokenRegistry);
  if (tokens.size === 0) logger.warn('CONSOLE_TOKENS is empty: nobody can sign in');
  // Nest's Fastify adapter already parses the forms' urlencoded bodies.
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', consoleAuthHook(tokens));
}

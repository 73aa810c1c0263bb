import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { consoleAuthHook } from './auth/console-auth';
import { ConsoleTokenRegistry } from './auth/console-token-registry';

/**
 * What the console adds to its Fastify instance before it listens (main.ts and the tests run
 * the same): the urlencoded parser of its forms and the token gate in front of every route.
 */
export function configureConsole(app: NestFastifyApplication, logger: Logger): void {
  const tokens = app.get(ConsoleTokenRegistry);
  if (tokens.size === 0) logger.warn('CONSOLE_TOKENS is empty: nobody can sign in');
  const fastify = app.getHttpAdapter().getInstance();
  // The login and verdict forms post urlencoded bodies (no client script needed for them).
  fastify.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 65536 },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );
  fastify.addHook('onRequest', consoleAuthHook(tokens));
}

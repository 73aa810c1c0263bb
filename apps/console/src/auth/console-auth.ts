import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ConsoleAccess, ConsoleTokenRegistry } from './console-token-registry';

export const SESSION_COOKIE = 'agentmon_console';

export type ConsoleRequest = FastifyRequest & { consoleAccess?: ConsoleAccess };

/** The value of one cookie from the Cookie header ('' when absent). */
export function cookieValue(header: string | undefined, name: string): string {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return '';
      }
    }
  }
  return '';
}

/** `Authorization: Bearer <token>` first (API clients), else the login cookie (browsers). */
export function requestToken(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (match) return match[1];
  }
  return cookieValue(request.headers.cookie, SESSION_COOKIE) || undefined;
}

/** Paths anyone may open: the login form, static assets, and the runtime's health/metrics. */
export function isPublicPath(path: string): boolean {
  return (
    path === '/login' ||
    path === '/logout' ||
    path.startsWith('/assets/') ||
    path === '/healthz' ||
    path === '/readyz' ||
    path === '/metrics' ||
    path === '/favicon.ico'
  );
}

/**
 * The console's one gate, a Fastify onRequest hook so it runs before any route (pages, API,
 * unknown paths alike): a request without a known token gets 401 (API) or the login form
 * (pages); an authenticated one carries its access for the handlers to scope every read.
 */
export function consoleAuthHook(tokens: ConsoleTokenRegistry) {
  return async (request: ConsoleRequest, reply: FastifyReply): Promise<void> => {
    const path = request.url.split('?')[0];
    if (isPublicPath(path)) return;
    const access = tokens.accessFor(requestToken(request));
    if (access !== undefined) {
      request.consoleAccess = access;
      return;
    }
    if (path.startsWith('/api/')) {
      await reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: 'unauthorized', message: 'missing or unknown console token' });
      return;
    }
    await reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
  };
}

export function sessionCookie(token: string): string {
  // HttpOnly: scripts never see the token; SameSite=Strict: no cross-site request carries it
  // (the verdict form's only CSRF defence needed); Path=/ for pages and API alike.
  return `${SESSION_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`;
}

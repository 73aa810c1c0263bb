import { ConsoleConfigSchema, loadConfig } from '@agentmon/config';
import { consoleTokenEntry, ConsoleTokenRegistry } from './console-token-registry';
import { cookieValue, isPublicPath, requestToken } from './console-auth';
import type { FastifyRequest } from 'fastify';

describe('ConsoleTokenRegistry', () => {
  const config = loadConfig(ConsoleConfigSchema, {
    CONSOLE_TOKENS: [
      consoleTokenEntry(['proj-a'], 'token-a'),
      consoleTokenEntry(['proj-b', 'proj-c'], 'token-bc'),
      consoleTokenEntry(['proj-d'], 'token-bc'),
    ].join(','),
  });
  const registry = new ConsoleTokenRegistry(config.CONSOLE_TOKENS);

  it('parses project+project:sha256 entries from CONSOLE_TOKENS', () => {
    expect(config.CONSOLE_TOKENS[1]!.projectIds).toEqual(['proj-b', 'proj-c']);
    expect(config.CONSOLE_TOKENS[1]!.tokenSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(() =>
      loadConfig(ConsoleConfigSchema, { CONSOLE_TOKENS: 'proj-a:not-a-digest' }),
    ).toThrow(/CONSOLE_TOKENS/);
  });

  it('grants a token exactly its projects (a token listed twice reads the union)', () => {
    expect(registry.accessFor('token-a')?.projects).toEqual(['proj-a']);
    expect(registry.accessFor('token-bc')?.projects).toEqual(['proj-b', 'proj-c', 'proj-d']);
    expect(registry.accessFor('token-x')).toBeUndefined();
    expect(registry.accessFor('')).toBeUndefined();
    expect(registry.accessFor(undefined)).toBeUndefined();
  });

  it('names a reviewer by a digest prefix, never by the token', () => {
    const access = registry.accessFor('token-a')!;
    expect(access.tokenId).toMatch(/^[0-9a-f]{12}$/);
    expect(access.tokenId).not.toContain('token');
  });
});

describe('console auth helpers', () => {
  const request = (headers: Record<string, string>) => ({ headers }) as unknown as FastifyRequest;

  it('reads the bearer token first, else the session cookie', () => {
    expect(requestToken(request({ authorization: 'Bearer abc' }))).toBe('abc');
    expect(requestToken(request({ cookie: 'x=1; agentmon_console=tok%2B1; y=2' }))).toBe('tok+1');
    expect(requestToken(request({}))).toBeUndefined();
    expect(cookieValue('a=1;b=2', 'b')).toBe('2');
    expect(cookieValue('a=%E0%A4%A', 'a')).toBe('');
  });

  it('leaves only login, assets and the runtime endpoints public', () => {
    expect(
      ['/login', '/assets/console.js', '/healthz', '/readyz', '/metrics'].every(isPublicPath),
    ).toBe(true);
    expect(['/', '/api/overview', '/traces/x', '/export.jsonl'].some(isPublicPath)).toBe(false);
  });
});

import { ConsoleLoginSchema } from '@agentmon/contracts';
import { Body, Controller, Get, Inject, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { loginPage } from '../render/pages';
import { clearedSessionCookie, sessionCookie } from './console-auth';
import { ConsoleTokenRegistry } from './console-token-registry';

/** Only same-site paths are followed after sign-in (no open redirect). */
function safeNext(next: string | undefined): string {
  return next !== undefined && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

/** The tiny login form: a token in, an HttpOnly cookie out. */
@Controller()
export class LoginController {
  constructor(@Inject(ConsoleTokenRegistry) private readonly tokens: ConsoleTokenRegistry) {}

  @Get('login')
  form(@Query('next') next: string | undefined, @Res() reply: FastifyReply): void {
    void reply.type('text/html; charset=utf-8').send(loginPage(safeNext(next), null));
  }

  @Post('login')
  login(@Body() body: unknown, @Res() reply: FastifyReply): void {
    const parsed = ConsoleLoginSchema.safeParse(body ?? {});
    const next = safeNext(parsed.success ? parsed.data.next : undefined);
    if (!parsed.success || this.tokens.accessFor(parsed.data.token) === undefined) {
      void reply
        .code(401)
        .type('text/html; charset=utf-8')
        .send(loginPage(next, 'Unknown console token.'));
      return;
    }
    void reply.header('set-cookie', sessionCookie(parsed.data.token)).redirect(next, 303);
  }

  @Post('logout')
  logout(@Res() reply: FastifyReply): void {
    void reply.header('set-cookie', clearedSessionCookie()).redirect('/login', 303);
  }
}

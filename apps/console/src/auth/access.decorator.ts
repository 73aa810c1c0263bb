import { createParamDecorator, ExecutionContext, UnauthorizedException } from '@nestjs/common';
import type { ConsoleRequest } from './console-auth';
import type { ConsoleAccess } from './console-token-registry';

/** The caller's access, set by the auth hook (a handler without it is a wiring bug: 401). */
export const Access = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): ConsoleAccess => {
    const access = ctx.switchToHttp().getRequest<ConsoleRequest>().consoleAccess;
    if (access === undefined) throw new UnauthorizedException();
    return access;
  },
);

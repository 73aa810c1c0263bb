import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiKeyRegistry, apiKeyFromHeaders } from './api-key-registry';

export type AuthenticatedRequest = FastifyRequest & { projectId: string };

/** Every ingest route: the project comes from the API key and from nowhere else. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(@Inject(ApiKeyRegistry) private readonly keys: ApiKeyRegistry) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    // Normally already resolved from the headers by the ingest edge, before the body was read.
    if (request.projectId) return true;
    const projectId = this.keys.projectFor(apiKeyFromHeaders(request.headers));
    if (!projectId)
      throw new UnauthorizedException({
        error: 'unauthorized',
        message: 'missing or unknown API key (Authorization: Bearer <key> or x-api-key)',
      });
    request.projectId = projectId;
    return true;
  }
}

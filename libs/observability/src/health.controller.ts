import { Controller, Get, Header, HttpCode, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Registry } from 'prom-client';
import { ReadinessRegistry } from './readiness-registry';

@Controller()
export class HealthController {
  constructor(
    @Inject(ReadinessRegistry) private readonly readiness: ReadinessRegistry,
    @Inject(Registry) private readonly metrics: Registry,
  ) {}

  /** Liveness: the event loop answers. */
  @Get('healthz')
  @HttpCode(200)
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: every registered dependency answers and we are not draining. */
  @Get('readyz')
  async readyz(@Res() reply: FastifyReply): Promise<void> {
    const result = await this.readiness.evaluate();
    await reply
      .status(result.ready ? 200 : 503)
      .send({ status: result.ready ? 'ready' : 'not_ready', checks: result.checks });
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async prometheus(): Promise<string> {
    return this.metrics.metrics();
  }
}

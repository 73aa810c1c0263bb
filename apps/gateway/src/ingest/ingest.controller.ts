import { APP_CONFIG } from '@agentmon/config';
import type { GatewayConfig } from '../gateway.config';
import { encodeTopicRecord, ingestItemChecks, Topics, topicRecordKey } from '@agentmon/contracts';
import { LOGGER } from '@agentmon/observability';
import { Body, Controller, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { ApiKeyGuard, AuthenticatedRequest } from '../auth/api-key.guard';
import { GatewayMetrics } from '../gateway.metrics';
import { GatewayOverloadedError, ProduceCoalescer } from '../kafka/produce-coalescer';
import { decideIngest, IngestRoute } from './ingest-request';

@Controller('v1')
@UseGuards(ApiKeyGuard)
export class IngestController {
  constructor(
    @Inject(ProduceCoalescer) private readonly producer: ProduceCoalescer,
    @Inject(GatewayMetrics) private readonly metrics: GatewayMetrics,
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    // Compile the contract checks now (a few hundred ms) rather than in the first request.
    ingestItemChecks();
  }

  @Post('spans')
  @HttpCode(202)
  spans(
    @Req() request: AuthenticatedRequest,
    @Body() body: unknown,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return this.ingest('spans', request, body, reply);
  }

  @Post('events')
  @HttpCode(202)
  events(
    @Req() request: AuthenticatedRequest,
    @Body() body: unknown,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return this.ingest('events', request, body, reply);
  }

  /** 202 only after Kafka acknowledged every record of the request (acks=all). */
  private async ingest(
    route: IngestRoute,
    request: AuthenticatedRequest,
    body: unknown,
    reply: FastifyReply,
  ): Promise<void> {
    const decision = decideIngest(
      route,
      body,
      request.projectId,
      Date.now(),
      this.config.GATEWAY_MAX_ITEMS_PER_REQUEST,
    );
    if (!decision.ok) {
      this.metrics.rejected.inc(
        { kind: route, reason: decision.error },
        Math.max(1, decision.issues.length),
      );
      return this.answer(reply, decision.status, {
        error: decision.error,
        issues: decision.issues.slice(0, 100),
      });
    }
    const started = process.hrtime.bigint();
    try {
      await this.producer.submit(
        decision.records.map((record) => ({
          key: topicRecordKey(Topics.spans, record) as string,
          value: encodeTopicRecord(Topics.spans, record),
        })),
      );
    } catch (error) {
      const reason = error instanceof GatewayOverloadedError ? 'overloaded' : 'kafka_unavailable';
      this.metrics.rejected.inc({ kind: route, reason }, decision.records.length);
      this.logger.warn(
        { route, project: request.projectId, reason, err: (error as Error).message },
        'ingest not acknowledged by Kafka',
      );
      void reply.header('Retry-After', String(this.config.GATEWAY_RETRY_AFTER_S));
      return this.answer(reply, 503, {
        error: 'unavailable',
        message: 'Kafka did not acknowledge the records; retry later',
      });
    }
    this.metrics.produceSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
    this.metrics.accepted.inc({ kind: 'span' }, decision.spans);
    this.metrics.accepted.inc({ kind: 'event' }, decision.events);
    return this.answer(reply, 202, { accepted: decision.records.length });
  }

  private async answer(reply: FastifyReply, status: number, body: object): Promise<void> {
    await reply.status(status).send(body);
  }
}

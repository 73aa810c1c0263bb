import { APP_CONFIG, AppConfig } from '@agentmon/config';
import { encodeTopicRecord, Topics } from '@agentmon/contracts';
import { LOGGER } from '@agentmon/observability';
import {
  countOtlpSpans,
  decodeExportTraceRequest,
  encodeExportTraceResponse,
  encodeRpcStatus,
  exportTraceResponseJson,
  OtlpDecodeError,
  otlpToRecords,
  partialSuccessMessage,
} from '@agentmon/otlp';
import { Body, Controller, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { ApiKeyGuard, AuthenticatedRequest } from '../auth/api-key.guard';
import { GatewayMetrics } from '../gateway.metrics';
import { GatewayOverloadedError, ProduceCoalescer } from '../kafka/produce-coalescer';

/** google.rpc.Code values used in OTLP error bodies. */
const RPC_INVALID_ARGUMENT = 3;
const RPC_RESOURCE_EXHAUSTED = 8;
const RPC_UNAVAILABLE = 14;

/**
 * OTLP/HTTP traces (`POST /v1/traces`, the path OpenTelemetry exporters use by default):
 * `application/x-protobuf` or `application/json`, optionally gzip/deflate (inflated and capped
 * by the ingest edge). 200 with an ExportTraceServiceResponse only after Kafka acknowledged every
 * accepted span; spans the contract refuses are counted in partial_success with the reasons.
 * Back-pressure: 429 (too many records pending) or 503 (Kafka not acknowledging), both with
 * Retry-After, which the OTLP specification makes retryable.
 */
@Controller('v1')
@UseGuards(ApiKeyGuard)
export class OtlpController {
  constructor(
    @Inject(ProduceCoalescer) private readonly producer: ProduceCoalescer,
    @Inject(GatewayMetrics) private readonly metrics: GatewayMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Post('traces')
  async traces(
    @Req() request: AuthenticatedRequest,
    @Body() body: unknown,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const protobuf = Buffer.isBuffer(body);
    const type = String(request.headers['content-type'] ?? '').toLowerCase();
    if (!type.startsWith('application/json') && !type.startsWith('application/x-protobuf')) {
      await reply.status(415).send({
        code: RPC_INVALID_ARGUMENT,
        message: 'OTLP/HTTP takes application/x-protobuf or application/json',
      });
      return;
    }
    const fail = (status: number, code: number, message: string) => {
      if (protobuf) {
        return reply
          .status(status)
          .header('content-type', 'application/x-protobuf')
          .send(Buffer.from(encodeRpcStatus(code, message)));
      }
      return reply.status(status).send({ code, message });
    };
    let conversion;
    try {
      const message = protobuf ? decodeExportTraceRequest(body) : body;
      const count = countOtlpSpans(message);
      const max = this.config.GATEWAY_OTLP_MAX_SPANS_PER_REQUEST;
      if (count > max) {
        this.metrics.rejected.inc({ kind: 'otlp_span', reason: 'too_many_items' }, count);
        await fail(413, RPC_INVALID_ARGUMENT, `at most ${max} spans per request, got ${count}`);
        return;
      }
      conversion = otlpToRecords(message, request.projectId, Date.now());
    } catch (error) {
      if (!(error instanceof OtlpDecodeError)) throw error;
      this.metrics.rejected.inc({ kind: 'otlp_span', reason: 'undecodable' });
      await fail(400, RPC_INVALID_ARGUMENT, error.message);
      return;
    }
    if (conversion.rejectedSpans > 0) {
      this.metrics.rejected.inc(
        { kind: 'otlp_span', reason: 'invalid_span' },
        conversion.rejectedSpans,
      );
    }
    const started = process.hrtime.bigint();
    try {
      if (conversion.records.length > 0) {
        await this.producer.submit(
          conversion.records.map((record) => ({
            key: record.kind === 'span' ? record.span.trace_id : record.event.trace_id,
            value: encodeTopicRecord(Topics.spans, record),
          })),
        );
      }
    } catch (error) {
      const pending = error instanceof GatewayOverloadedError && error.reason === 'pending';
      const reason = pending
        ? 'overloaded'
        : error instanceof GatewayOverloadedError
          ? 'kafka_timeout'
          : 'kafka_unavailable';
      this.metrics.rejected.inc({ kind: 'otlp_span', reason }, conversion.spans);
      this.logger.warn(
        { route: 'traces', project: request.projectId, reason, err: (error as Error).message },
        'OTLP export not acknowledged by Kafka',
      );
      void reply.header('Retry-After', String(this.config.GATEWAY_RETRY_AFTER_S));
      await (pending
        ? fail(429, RPC_RESOURCE_EXHAUSTED, 'too many spans waiting for Kafka; retry later')
        : fail(503, RPC_UNAVAILABLE, 'Kafka did not acknowledge the spans; retry later'));
      return;
    }
    this.metrics.produceSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
    this.metrics.accepted.inc({ kind: 'span' }, conversion.spans);
    this.metrics.accepted.inc({ kind: 'event' }, conversion.events);
    const partial = {
      rejectedSpans: conversion.rejectedSpans,
      errorMessage: partialSuccessMessage(conversion),
    };
    if (protobuf) {
      await reply
        .status(200)
        .header('content-type', 'application/x-protobuf')
        .send(Buffer.from(encodeExportTraceResponse(partial)));
    } else {
      await reply.status(200).send(exportTraceResponseJson(partial));
    }
  }
}

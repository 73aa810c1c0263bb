import { Inject, Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry } from 'prom-client';

@Injectable()
export class GatewayMetrics {
  readonly requests: Counter<'route' | 'status'>;
  readonly accepted: Counter<'kind'>;
  readonly rejected: Counter<'kind' | 'reason'>;
  readonly produceSeconds: Histogram;

  constructor(@Inject(Registry) registry: Registry) {
    this.requests = new Counter({
      name: 'agentmon_gateway_requests_total',
      help: 'Ingest requests by route and status',
      labelNames: ['route', 'status'],
      registers: [registry],
    });
    this.accepted = new Counter({
      name: 'agentmon_gateway_records_accepted_total',
      help: 'Spans and events acknowledged by Kafka',
      labelNames: ['kind'],
      registers: [registry],
    });
    this.rejected = new Counter({
      name: 'agentmon_gateway_records_rejected_total',
      help: 'Spans and events refused, by reason',
      labelNames: ['kind', 'reason'],
      registers: [registry],
    });
    this.produceSeconds = new Histogram({
      name: 'agentmon_gateway_produce_seconds',
      help: 'Time from a valid request to Kafka acknowledging its records',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
  }
}

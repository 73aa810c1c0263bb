import { Inject, Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import type { OtlpRelayEvents, RelayUnit } from './consumer/otlp-relay.stage';

/** The relay's own metrics (records, dead letters, lag are the runtime's agentmon_stage_*). */
@Injectable()
export class OtlpRelayMetrics implements OtlpRelayEvents {
  readonly items: Counter<'kind'>;

  constructor(@Inject(Registry) registry: Registry) {
    this.items = new Counter({
      name: 'agentmon_otlp_relay_items_total',
      help: 'What Collector records became once acknowledged by Kafka: spans and trace events relayed, spans refused by the span contract',
      labelNames: ['kind'],
      registers: [registry],
    });
  }

  relayed(units: readonly RelayUnit[]): void {
    let spans = 0;
    let events = 0;
    let rejected = 0;
    for (const { batch } of units) {
      spans += batch.spans;
      events += batch.events;
      rejected += batch.rejectedSpans;
    }
    this.items.inc({ kind: 'span' }, spans);
    this.items.inc({ kind: 'event' }, events);
    this.items.inc({ kind: 'rejected_span' }, rejected);
  }
}

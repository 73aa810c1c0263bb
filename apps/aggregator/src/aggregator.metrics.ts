import { Inject, Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';

/** The aggregator's own metrics (the runtime's records, retries and lag are agentmon_stage_*). */
@Injectable()
export class AggregatorMetrics {
  readonly passed: Counter;

  constructor(@Inject(Registry) registry: Registry) {
    this.passed = new Counter({
      name: 'agentmon_aggregator_records_passed_total',
      help: 'Valid trace summaries taken through the pass-through step',
      registers: [registry],
    });
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';

/** The notifier's own metrics (the runtime's records, retries and lag are agentmon_stage_*). */
@Injectable()
export class NotifierMetrics {
  readonly passed: Counter;

  constructor(@Inject(Registry) registry: Registry) {
    this.passed = new Counter({
      name: 'agentmon_notifier_records_passed_total',
      help: 'Valid alert state changes taken through the pass-through step',
      registers: [registry],
    });
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';

/** The detector's own metrics (the runtime's records, retries and lag are agentmon_stage_*). */
@Injectable()
export class DetectorMetrics {
  readonly passed: Counter;

  constructor(@Inject(Registry) registry: Registry) {
    this.passed = new Counter({
      name: 'agentmon_detector_records_passed_total',
      help: 'Valid metric windows taken through the pass-through step',
      registers: [registry],
    });
  }
}

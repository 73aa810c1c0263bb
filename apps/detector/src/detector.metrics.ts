import type { Alert } from '@agentmon/contracts';
import type { ApplyOutcome } from '@agentmon/detector-domain';
import { Inject, Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import type { DetectorEvents } from './consumer/detector.stage';
import type { StateStoreEvents } from './sinks/redis-state-store';

/** The detector's own metrics (records, retries and lag are the runtime's agentmon_stage_*). */
@Injectable()
export class DetectorMetrics implements DetectorEvents, StateStoreEvents {
  readonly points: Counter<'outcome'>;
  readonly alerts: Counter<'state' | 'severity'>;
  readonly resets: Counter;
  readonly unreadable: Counter<'what'>;

  constructor(@Inject(Registry) registry: Registry) {
    this.points = new Counter({
      name: 'agentmon_detector_points_total',
      help: 'Metric windows taken by the engine, by outcome (applied, replaced, duplicate, stale)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.alerts = new Counter({
      name: 'agentmon_detector_alerts_total',
      help: 'Alert state changes recorded and published, by state and severity',
      labelNames: ['state', 'severity'],
      registers: [registry],
    });
    this.resets = new Counter({
      name: 'agentmon_detector_baseline_resets_applied_total',
      help: 'Baseline resets applied to a stored series',
      registers: [registry],
    });
    this.unreadable = new Counter({
      name: 'agentmon_detector_unreadable_total',
      help: 'Stored series states (dropped: the series warms up again) or reset entries that could not be read',
      labelNames: ['what'],
      registers: [registry],
    });
  }

  pointsApplied(outcomes: Record<ApplyOutcome, number>): void {
    for (const [outcome, n] of Object.entries(outcomes)) if (n > 0) this.points.inc({ outcome }, n);
  }

  alertsEmitted(alerts: readonly Alert[]): void {
    for (const alert of alerts) this.alerts.inc({ state: alert.state, severity: alert.severity });
  }

  resetsApplied(count: number): void {
    this.resets.inc(count);
  }

  stateUnreadable(count: number): void {
    this.unreadable.inc({ what: 'state' }, count);
  }

  resetUnreadable(count: number): void {
    this.unreadable.inc({ what: 'reset' }, count);
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The notifier's own metrics (the runtime's records, retries and lag are agentmon_stage_*). */
@Injectable()
export class NotifierMetrics {
  readonly decisions: Counter<'reason'>;
  readonly deliveries: Counter<'kind' | 'result'>;
  readonly attemptSeconds: Histogram<'outcome'>;
  readonly queuedToDelivered: Histogram;
  readonly outboxQueues: Gauge;
  readonly activeSilences: Gauge;
  readonly pendingAlerts: Gauge;
  readonly journaled: Counter;
  readonly journalFailures: Counter;

  constructor(@Inject(Registry) registry: Registry) {
    const registers = [registry];
    this.decisions = new Counter({
      name: 'agentmon_notifier_decisions_total',
      help: 'Decisions about alerts, by reason (sent, grouped, cooldown, silenced, inhibited, digest…)',
      labelNames: ['reason'],
      registers,
    });
    this.deliveries = new Counter({
      name: 'agentmon_notifier_deliveries_total',
      help: 'Delivery rounds of Slack messages by result (slack, log, parked, failed)',
      labelNames: ['kind', 'result'],
      registers,
    });
    this.attemptSeconds = new Histogram({
      name: 'agentmon_notifier_slack_attempt_seconds',
      help: 'Latency of each POST to the Slack webhook, by outcome',
      labelNames: ['outcome'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.queuedToDelivered = new Histogram({
      name: 'agentmon_notifier_queued_to_delivered_seconds',
      help: 'From a message entering the outbox to its delivery (parked time included)',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 60, 300, 1800],
      registers,
    });
    this.outboxQueues = new Gauge({
      name: 'agentmon_notifier_outbox_queues',
      help: 'Queues (project + metric) with messages waiting for Slack',
      registers,
    });
    this.activeSilences = new Gauge({
      name: 'agentmon_notifier_active_silences',
      help: 'Silences in force in the policy the notifier applies',
      registers,
    });
    this.pendingAlerts = new Gauge({
      name: 'agentmon_notifier_pending_alerts',
      help: 'Alerts waiting in memory for their group',
      registers,
    });
    this.journaled = new Counter({
      name: 'agentmon_notifier_journal_rows_total',
      help: 'Decision, attempt and delivery rows moved from the Redis journal to ClickHouse',
      registers,
    });
    this.journalFailures = new Counter({
      name: 'agentmon_notifier_journal_flush_failures_total',
      help: 'Journal flushes to ClickHouse that failed (retried at the next tick)',
      registers,
    });
  }
}

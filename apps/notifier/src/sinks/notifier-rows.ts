import { ClickHouseTables } from '@agentmon/clickhouse';
import type { Alert } from '@agentmon/contracts';
import type { Decision } from '@agentmon/notifier-domain';
import type { SlackDeliveryAttempt } from './slack-webhook.client';
import type { JournalEntry, OutboxEnvelope } from './redis-outbox';

/** notifier_decisions (0005_notifier.sql). */
export interface DecisionRow {
  project_id: string;
  decided_at_ms: number;
  alert_id: string;
  reason: string;
  fingerprint: string;
  metric: string;
  severity: string;
  state: string;
  slice_dimension: string;
  slice_value: string;
  notification_id: string;
  silence_id: string;
  inhibit_rule_id: string;
  inhibited_by: string;
  detail: string;
  alert_json: string;
}

export function decisionRow(decision: Decision): DecisionRow {
  const { alert } = decision;
  return {
    project_id: alert.project_id,
    decided_at_ms: decision.at,
    alert_id: alert.alert_id,
    reason: decision.reason,
    fingerprint: alert.fingerprint,
    metric: alert.metric,
    severity: alert.severity,
    state: alert.state,
    slice_dimension: alert.slice.dimension,
    slice_value: alert.slice.value,
    notification_id: decision.notification_id ?? '',
    silence_id: decision.silence_id ?? '',
    inhibit_rule_id: decision.inhibit_rule_id ?? '',
    inhibited_by: decision.inhibited_by ?? '',
    detail: decision.detail ?? '',
    alert_json: JSON.stringify(alert),
  };
}

/** Back from a stored row to the Decision the digest summarizes. */
export function decisionFromRow(row: DecisionRow): Decision {
  const decision: Decision = {
    reason: row.reason as Decision['reason'],
    alert: JSON.parse(row.alert_json) as Alert,
    at: Number(row.decided_at_ms),
  };
  if (row.detail) decision.detail = row.detail;
  if (row.notification_id) decision.notification_id = row.notification_id;
  if (row.silence_id) decision.silence_id = row.silence_id;
  if (row.inhibit_rule_id) decision.inhibit_rule_id = row.inhibit_rule_id;
  if (row.inhibited_by) decision.inhibited_by = row.inhibited_by;
  return decision;
}

export function decisionEntries(decisions: readonly Decision[]): JournalEntry[] {
  return decisions.map((d) => ({ table: ClickHouseTables.notifierDecisions, row: decisionRow(d) }));
}

/** notification_attempts: one per POST (or log-only delivery). */
export function attemptEntry(
  envelope: OutboxEnvelope,
  round: number,
  attempt: SlackDeliveryAttempt,
): JournalEntry {
  return {
    table: ClickHouseTables.notificationAttempts,
    row: {
      project_id: envelope.project_id,
      attempted_at_ms: attempt.at,
      notification_id: envelope.id,
      kind: envelope.kind,
      metric: envelope.metric,
      round,
      attempt: attempt.attempt,
      http_status: attempt.status ?? 0,
      outcome: attempt.outcome,
      latency_ms: Math.max(0, Math.round(attempt.latency_ms)),
      error: attempt.error ?? '',
      retry_after_ms: attempt.retry_after_ms ?? 0,
    },
  };
}

/**
 * alert_deliveries (0004_alerts.sql): the latest status of each alert's delivery, one row per
 * alert of the message. Status: queued | slack | log | parked | failed. The revision is the
 * notifier clock, so the latest change wins.
 */
export function deliveryEntries(
  envelope: OutboxEnvelope,
  status: 'queued' | 'slack' | 'log' | 'parked' | 'failed',
  now: number,
): JournalEntry[] {
  return envelope.alerts.map((alert) => ({
    table: ClickHouseTables.alertDeliveries,
    row: {
      project_id: alert.project_id,
      alert_occurred_at_ms: alert.time,
      alert_id: alert.alert_id,
      channel: envelope.message.channel,
      status,
      attempts: envelope.attempts,
      last_error: envelope.last_error ?? '',
      updated_at_ms: now,
      revision: now * 1000 + Math.min(999, envelope.attempts),
    },
  }));
}

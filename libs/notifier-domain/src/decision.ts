import type { Alert } from '@agentmon/contracts';

/**
 * Why an alert was (not) sent. `grouped` and `digest` are interim (the alert waits for its group
 * or the daily digest); every other reason is final for that alert_id.
 */
export type DecisionReason =
  | 'grouped'
  | 'sent'
  | 'cooldown'
  | 'inhibited'
  | 'silenced'
  | 'resolved_before_send'
  | 'superseded'
  | 'resolve_not_sent'
  | 'digest';

export const FINAL_DECISION_REASONS: ReadonlySet<DecisionReason> = new Set([
  'sent',
  'cooldown',
  'inhibited',
  'silenced',
  'resolved_before_send',
  'superseded',
  'resolve_not_sent',
]);

/** One decision about one alert, for the log and the counters (and the daily digest). */
export interface Decision {
  reason: DecisionReason;
  alert: Alert;
  /** Notifier clock when decided. */
  at: number;
  /** Human detail: which silence, which rule, why a resolve was not sent. */
  detail?: string;
  silence_id?: string;
  inhibit_rule_id?: string;
  /** The alert whose firing inhibited this one. */
  inhibited_by?: string;
  /** The message this alert went out in (sent) or waits for (grouped). */
  notification_id?: string;
}

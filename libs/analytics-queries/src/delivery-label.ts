import type { OpenAlert } from './analytics-queries';

/** Held back on purpose, and why, by the notifier's decision (no delivery follows these). */
const HELD_BY: Record<string, string> = {
  cooldown: 'held: cooldown',
  silenced: 'silenced',
  inhibited: 'inhibited',
  superseded: 'superseded',
  resolved_before_send: 'resolved before send',
  grouped: 'waiting for its group',
  digest: 'in the daily digest',
};

/**
 * What became of an open alert's page, for a table cell: its delivery, else why the notifier
 * held it, else `pending` (the notifier has not decided yet).
 */
export function deliveryLabel(
  alert: Pick<OpenAlert, 'delivery_status' | 'delivery_attempts' | 'notifier_decision'>,
): string {
  if (alert.delivery_status) return `${alert.delivery_status} (${alert.delivery_attempts})`;
  return HELD_BY[alert.notifier_decision] ?? 'pending';
}

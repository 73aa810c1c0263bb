import type { Alert, AlertState } from '@agentmon/contracts';
import type { NotifierOptions } from './notifier-options';
import { cooldownKey } from './series';

/** What the store keeps per cooldown key (project + metric + slice + severity). */
export interface CooldownRecord {
  state: AlertState;
  /** The alert whose notification claimed this record. */
  alert_id: string;
  /** Notifier clock at the claim. */
  at: number;
  /** Set after the message went out, so a replay of the same alert is not sent twice. */
  delivered: boolean;
}

/**
 * The one atomic read-decide-write the store must run per alert (a Lua script in Redis:
 * GET key → decideCooldown → SET key next PX retention_ms when next differs), so that of two
 * instances claiming the same key only one gets `send`.
 */
export interface CooldownOperation {
  key: string;
  alert_id: string;
  state: AlertState;
  now: number;
  cooldown_ms: number;
  send_resolved: boolean;
  /** TTL of the written record; refreshed on every write. */
  retention_ms: number;
}

export type CooldownVerdict =
  /** Send it (the record now names this alert). */
  | 'send'
  /** A firing of the same key was sent less than cooldown_ms ago. */
  | 'cooldown'
  /** This very alert was already claimed and delivered (a replay). */
  | 'already_sent'
  /** A resolve with nothing open to resolve (no firing sent, or its resolve already went out). */
  | 'resolve_unneeded'
  /** Resolves are not sent (send_resolved false); the record is still re-armed. */
  | 'resolve_disabled';

export interface CooldownDecision {
  verdict: CooldownVerdict;
  /** The record to store; null: leave the store as it is. */
  next: CooldownRecord | null;
}

export function cooldownOperation(
  alert: Alert,
  now: number,
  options: NotifierOptions,
): CooldownOperation {
  return {
    key: cooldownKey(alert),
    alert_id: alert.alert_id,
    state: alert.state,
    now,
    cooldown_ms: options.cooldownMs,
    send_resolved: options.sendResolved,
    retention_ms: Math.max(options.cooldownRetentionMs, options.cooldownMs),
  };
}

/**
 * Cooldown rule. Firing: sent unless a firing of the same key was claimed less than cooldown_ms
 * ago and not resolved since. Resolved: sent once, only when a firing is open, and it re-arms the
 * key (the next firing goes out at once). The same alert_id claimed again (a replay after a crash
 * between claim and delivery) gets `send` again until it is marked delivered.
 */
export function decideCooldown(
  record: CooldownRecord | null,
  op: CooldownOperation,
): CooldownDecision {
  if (record && record.alert_id === op.alert_id && record.state === op.state) {
    return { verdict: record.delivered ? 'already_sent' : 'send', next: null };
  }
  const claim = (delivered: boolean): CooldownRecord => ({
    state: op.state,
    alert_id: op.alert_id,
    at: op.now,
    delivered,
  });
  if (op.state === 'firing') {
    const open =
      record !== null && record.state === 'firing' && op.now < record.at + op.cooldown_ms;
    return open ? { verdict: 'cooldown', next: null } : { verdict: 'send', next: claim(false) };
  }
  if (!op.send_resolved) return { verdict: 'resolve_disabled', next: claim(true) };
  if (record === null || record.state === 'resolved')
    return { verdict: 'resolve_unneeded', next: null };
  return { verdict: 'send', next: claim(false) };
}

/** After delivery: the record of this alert (if still its own) becomes delivered. */
export function markCooldownDelivered(
  record: CooldownRecord | null,
  alertId: string,
): CooldownRecord | null {
  if (!record || record.alert_id !== alertId || record.delivered) return null;
  return { ...record, delivered: true };
}

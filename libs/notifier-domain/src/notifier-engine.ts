import type { Alert, AlertSeverity, MetricName, NotificationPolicy } from '@agentmon/contracts';
import { cooldownOperation, type CooldownOperation, type CooldownVerdict } from './cooldown';
import type { Decision } from './decision';
import { findInhibition } from './inhibition';
import type { NotifierOptions } from './notifier-options';
import { compareWorstFirst, fnv1a, worseSeverity } from './ranking';
import { groupKey, isOverall } from './series';
import { findSilence } from './silences';

/** A firing alert remembered for inhibition. */
export interface FiringEntry {
  alert: Alert;
  seen_at: number;
}

/** Alerts of one project and metric waiting out the group wait; the latest change per fingerprint. */
export interface PendingGroup {
  key: string;
  project_id: string;
  metric: MetricName;
  opened_at: number;
  send_at: number;
  members: Record<string, Alert>;
}

/**
 * The engine's whole state: plain JSON, so the app may keep it in memory (and replay the alerts
 * topic from the oldest pending alert after a restart) or persist it.
 */
export interface NotifierState {
  firing: Record<string, FiringEntry>;
  groups: Record<string, PendingGroup>;
}

export interface EngineContext {
  now: number;
  policy: NotificationPolicy;
  options: NotifierOptions;
}

export interface EngineStep {
  state: NotifierState;
  decisions: Decision[];
}

export function initialNotifierState(): NotifierState {
  return { firing: {}, groups: {} };
}

function decision(
  reason: Decision['reason'],
  alert: Alert,
  at: number,
  extra: Partial<Decision> = {},
): Decision {
  return { reason, alert, at, ...extra };
}

function pruneFiring(firing: Record<string, FiringEntry>, now: number, retentionMs: number) {
  for (const [fingerprint, entry] of Object.entries(firing)) {
    if (now - entry.seen_at > retentionMs) delete firing[fingerprint];
  }
}

/**
 * One alert from the alerts topic. Info goes to the digest; silenced and inhibited alerts stop
 * here; everything else waits in its (project, metric) group until `takeDueGroups`. A resolve
 * cancels its still-pending firing (neither is sent); a firing critical removes the pending
 * alerts it inhibits.
 */
export function onAlert(state: NotifierState, alert: Alert, ctx: EngineContext): EngineStep {
  const { now, policy, options } = ctx;
  const firing = { ...state.firing };
  const groups = { ...state.groups };
  const decisions: Decision[] = [];

  pruneFiring(firing, now, options.activeRetentionMs);
  if (alert.state === 'firing') firing[alert.fingerprint] = { alert, seen_at: now };
  else delete firing[alert.fingerprint];

  if (alert.severity === 'info') {
    decisions.push(decision('digest', alert, now));
    return { state: { firing, groups }, decisions };
  }

  const silence = findSilence(alert, policy.silences, now);
  if (silence) {
    decisions.push(
      decision('silenced', alert, now, { silence_id: silence.id, detail: silence.reason }),
    );
    return { state: { firing, groups }, decisions };
  }

  const key = groupKey(alert);
  const existing = groups[key];
  const pendingSame = existing?.members[alert.fingerprint];

  if (alert.state === 'resolved' && pendingSame?.state === 'firing') {
    const members = { ...existing.members };
    delete members[alert.fingerprint];
    if (Object.keys(members).length === 0) delete groups[key];
    else groups[key] = { ...existing, members };
    const detail = `resolved within the group wait (${options.groupWaitMs} ms)`;
    decisions.push(decision('resolved_before_send', pendingSame, now, { detail }));
    decisions.push(decision('resolved_before_send', alert, now, { detail }));
    return { state: { firing, groups }, decisions };
  }

  if (alert.state === 'firing') {
    const others = Object.values(firing)
      .map((entry) => entry.alert)
      .filter((a) => a.fingerprint !== alert.fingerprint);
    const inhibition = findInhibition(alert, others, policy.inhibit_rules);
    if (inhibition) {
      decisions.push(
        decision('inhibited', alert, now, {
          inhibit_rule_id: inhibition.rule.id,
          inhibited_by: inhibition.source.alert_id,
        }),
      );
      return { state: { firing, groups }, decisions };
    }
    // This alert may inhibit alerts already waiting in a group.
    for (const [gk, group] of Object.entries(groups)) {
      let members: Record<string, Alert> | null = null;
      for (const [fingerprint, member] of Object.entries(group.members)) {
        const hit = findInhibition(member, [alert], policy.inhibit_rules);
        if (!hit) continue;
        members ??= { ...group.members };
        delete members[fingerprint];
        decisions.push(
          decision('inhibited', member, now, {
            inhibit_rule_id: hit.rule.id,
            inhibited_by: alert.alert_id,
          }),
        );
      }
      // An emptied group of another key is dropped; this alert's own group keeps its clock.
      if (members === null) continue;
      if (Object.keys(members).length === 0 && gk !== groupKey(alert)) delete groups[gk];
      else groups[gk] = { ...group, members };
    }
  }

  const group: PendingGroup = groups[key] ?? {
    key,
    project_id: alert.project_id,
    metric: alert.metric,
    opened_at: now,
    send_at: now + options.groupWaitMs,
    members: {},
  };
  const replaced = group.members[alert.fingerprint];
  if (replaced) {
    decisions.push(
      decision('superseded', replaced, now, { detail: `superseded by ${alert.alert_id}` }),
    );
  }
  groups[key] = { ...group, members: { ...group.members, [alert.fingerprint]: alert } };
  decisions.push(
    decision('grouped', alert, now, {
      detail: `waits in group ${group.key} until ${new Date(group.send_at).toISOString()}`,
    }),
  );
  return { state: { firing, groups }, decisions };
}

/** When the app should call `takeDueGroups` next (null: nothing pending). */
export function nextDueAt(state: NotifierState): number | null {
  const times = Object.values(state.groups).map((g) => g.send_at);
  return times.length ? Math.min(...times) : null;
}

/** Removes and returns the groups whose wait is over, oldest first. */
export function takeDueGroups(
  state: NotifierState,
  now: number,
): { state: NotifierState; due: PendingGroup[] } {
  const groups = { ...state.groups };
  const due = Object.values(groups)
    .filter((g) => g.send_at <= now)
    .sort((a, b) => a.send_at - b.send_at || a.key.localeCompare(b.key));
  for (const g of due) delete groups[g.key];
  return { state: { ...state, groups }, due };
}

export interface CooldownCandidate {
  alert: Alert;
  operation: CooldownOperation;
}

/**
 * A due group, re-checked against the policy as it is now (a silence added during the wait
 * applies). What is left needs one atomic cooldown claim each (the store's `claim`).
 */
export function prepareGroup(
  group: PendingGroup,
  state: NotifierState,
  ctx: EngineContext,
): { candidates: CooldownCandidate[]; decisions: Decision[] } {
  const { now, policy, options } = ctx;
  const firing = Object.values(state.firing).map((entry) => entry.alert);
  const decisions: Decision[] = [];
  const candidates: CooldownCandidate[] = [];
  for (const alert of Object.values(group.members).sort(compareWorstFirst)) {
    const silence = findSilence(alert, policy.silences, now);
    if (silence) {
      decisions.push(
        decision('silenced', alert, now, { silence_id: silence.id, detail: silence.reason }),
      );
      continue;
    }
    const inhibition = findInhibition(
      alert,
      firing.filter((a) => a.fingerprint !== alert.fingerprint),
      policy.inhibit_rules,
    );
    if (inhibition) {
      decisions.push(
        decision('inhibited', alert, now, {
          inhibit_rule_id: inhibition.rule.id,
          inhibited_by: inhibition.source.alert_id,
        }),
      );
      continue;
    }
    candidates.push({ alert, operation: cooldownOperation(alert, now, options) });
  }
  return { candidates, decisions };
}

/** One Slack message about one project and metric. */
export interface AlertNotification {
  kind: 'alert';
  /** Deterministic from the alerts it carries: the delivery idempotency / parking key. */
  id: string;
  project_id: string;
  metric: MetricName;
  /** firing when anything fires; resolved when the message only carries resolves. */
  state: 'firing' | 'resolved';
  /** Worst severity among the firing alerts (or the resolved ones when nothing fires). */
  severity: AlertSeverity;
  /** The overall series (slice dimension `all`) when it fires. */
  overall: Alert | null;
  /** Firing slices that explain it, worst first. */
  slices: Alert[];
  resolved: Alert[];
  created_at: number;
}

const VERDICT_REASON: Record<Exclude<CooldownVerdict, 'send'>, Decision['reason']> = {
  cooldown: 'cooldown',
  already_sent: 'cooldown',
  resolve_unneeded: 'resolve_not_sent',
  resolve_disabled: 'resolve_not_sent',
};

const VERDICT_DETAIL: Record<Exclude<CooldownVerdict, 'send'>, (o: CooldownOperation) => string> = {
  cooldown: (o) => `same series and severity sent within ${o.cooldown_ms} ms`,
  already_sent: () => 'already delivered (replay of the same alert)',
  resolve_unneeded: () => 'no open firing notification to resolve',
  resolve_disabled: () => 'resolve notifications are off',
};

export function notificationId(alertIds: readonly string[]): string {
  const joined = [...alertIds].sort().join(',');
  return `ntf-${fnv1a(joined)}${fnv1a(`~${joined}`)}`;
}

/**
 * The message for a group after its cooldown claims: alerts with verdict `send` go out in one
 * notification (null when none passed), every other one is decided here.
 */
export function composeGroup(
  group: PendingGroup,
  claims: readonly { candidate: CooldownCandidate; verdict: CooldownVerdict }[],
  now: number,
): { notification: AlertNotification | null; decisions: Decision[] } {
  const decisions: Decision[] = [];
  const sent: Alert[] = [];
  for (const { candidate, verdict } of claims) {
    if (verdict === 'send') sent.push(candidate.alert);
    else {
      decisions.push(
        decision(VERDICT_REASON[verdict], candidate.alert, now, {
          detail: VERDICT_DETAIL[verdict](candidate.operation),
        }),
      );
    }
  }
  if (sent.length === 0) return { notification: null, decisions };

  const firingAlerts = sent.filter((a) => a.state === 'firing').sort(compareWorstFirst);
  const resolved = sent.filter((a) => a.state === 'resolved').sort(compareWorstFirst);
  const overall = firingAlerts.find((a) => isOverall(a.slice)) ?? null;
  const severitySource = firingAlerts.length ? firingAlerts : resolved;
  const notification: AlertNotification = {
    kind: 'alert',
    id: notificationId(sent.map((a) => a.alert_id)),
    project_id: group.project_id,
    metric: group.metric,
    state: firingAlerts.length ? 'firing' : 'resolved',
    severity: severitySource.map((a) => a.severity).reduce(worseSeverity),
    overall,
    slices: firingAlerts.filter((a) => a !== overall),
    resolved,
    created_at: now,
  };
  for (const alert of sent) {
    decisions.push(decision('sent', alert, now, { notification_id: notification.id }));
  }
  return { notification, decisions };
}

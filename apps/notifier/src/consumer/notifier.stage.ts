import {
  type Alert,
  encodeDeadLetterValue,
  encodeTopicRecord,
  type NotificationPolicy,
  Topics,
} from '@agentmon/contracts';
import {
  type CooldownCandidate,
  type CooldownVerdict,
  composeGroup,
  cooldownKey,
  type Decision,
  groupKey,
  initialNotifierState,
  type NotifierOptions,
  type NotifierState,
  type AlertNotification,
  onAlert,
  type PendingGroup,
  prepareGroup,
  renderAlertMessage,
  takeDueGroups,
} from '@agentmon/notifier-domain';
import type { PartitionRecords, Stage, StageDeadLetter } from '@agentmon/stream-runtime';
import type { NotifierSinksPort } from '../ports/notifier-sinks.port';
import { decisionEntries, deliveryEntries } from '../sinks/notifier-rows';
import type { OutboxEnvelope } from '../sinks/redis-outbox';

/** Where an alert came from (commit bookkeeping and dead letters). */
interface AlertSource {
  partition: number;
  offset: string;
  key: string | null;
  alert: Alert;
}

interface PreparedGroup {
  candidates: CooldownCandidate[];
  decisions: Decision[];
}

export type NotifierUnit =
  /** The decisions about one input alert (grouped, silenced, inhibited, digest…). */
  | { kind: 'decisions'; source: AlertSource; decisions: Decision[] }
  /** A group whose wait is over: claimed, composed and queued for Slack in write. */
  | {
      kind: 'group';
      group: PendingGroup;
      sources: AlertSource[];
      // Memoized across retries of the same write, so a retry re-runs the same claims and message.
      prepared?: PreparedGroup;
      claims?: { candidate: CooldownCandidate; verdict: CooldownVerdict }[];
      composed?: { notification: AlertNotification | null; decisions: Decision[] };
    };

export interface NotifierStageEvents {
  /** After a write succeeded: every decision it made durable (log and count them). */
  decided?(decisions: readonly Decision[]): void;
  /** A message was newly queued for Slack. */
  queued?(envelope: OutboxEnvelope): void;
}

export interface NotifierStageSettings {
  options: NotifierOptions;
  /** Most alerts waiting in groups; past it the oldest group is sent early. */
  maxPendingAlerts: number;
}

/**
 * The notifier's stage: alerts in, the notifier engine (libs/notifier-domain) as the pure step,
 * Slack messages out through the durable outbox. Alerts wait in memory for their group; the
 * committable offset never passes the oldest alert of a group not yet queued, so a restart
 * replays it. Delivery itself happens outside the flush cycle (the dispatcher), so a slow or
 * unreachable Slack never holds back consumption, commits or other projects.
 */
export class NotifierStage implements Stage<typeof Topics.alerts, NotifierUnit> {
  readonly input = Topics.alerts;
  private state: NotifierState = initialNotifierState();
  private output: NotifierUnit[] = [];
  private readonly groupSources = new Map<string, AlertSource[]>();
  private readonly nextOffsets = new Map<number, bigint>();

  constructor(
    private readonly sinks: NotifierSinksPort,
    private readonly settings: NotifierStageSettings,
    /** The latest policy (refreshed by writes and by the dispatcher's tick). */
    private readonly currentPolicy: () => NotificationPolicy,
    private readonly events: NotifierStageEvents = {},
  ) {}

  /** Alerts currently waiting in groups. */
  get pendingAlerts(): number {
    let count = 0;
    for (const group of Object.values(this.state.groups))
      count += Object.keys(group.members).length;
    return count;
  }

  ingest(batch: PartitionRecords<typeof Topics.alerts>, now: number): void {
    const ctx = { now, policy: this.currentPolicy(), options: this.settings.options };
    for (const record of batch.records) {
      const alert = record.value;
      const step = onAlert(this.state, alert, ctx);
      this.state = step.state;
      const source: AlertSource = {
        partition: batch.partition,
        offset: record.offset,
        key: record.key,
        alert,
      };
      const key = groupKey(alert);
      if (this.state.groups[key]?.members[alert.fingerprint]?.alert_id === alert.alert_id) {
        const sources = this.groupSources.get(key) ?? [];
        sources.push(source);
        this.groupSources.set(key, sources);
      }
      this.output.push({ kind: 'decisions', source, decisions: step.decisions });
      this.nextOffsets.set(batch.partition, BigInt(record.offset) + 1n);
    }
    // Groups emptied by a resolve or an inhibition no longer hold their records back.
    for (const key of this.groupSources.keys()) {
      if (!this.state.groups[key]) this.groupSources.delete(key);
    }
    this.enforceBound(now);
  }

  /** Bounded memory: past maxPendingAlerts the oldest groups are due at once. */
  private enforceBound(now: number): void {
    let pending = this.pendingAlerts;
    if (pending <= this.settings.maxPendingAlerts) return;
    const groups = { ...this.state.groups };
    for (const group of Object.values(groups).sort((a, b) => a.opened_at - b.opened_at)) {
      if (pending <= this.settings.maxPendingAlerts) break;
      if (group.send_at > now) groups[group.key] = { ...group, send_at: now };
      pending -= Object.keys(group.members).length;
    }
    this.state = { ...this.state, groups };
  }

  takeOutput(now: number): NotifierUnit[] {
    const { state, due } = takeDueGroups(this.state, now);
    this.state = state;
    const units = this.output;
    this.output = [];
    for (const group of due) {
      units.push({ kind: 'group', group, sources: this.groupSources.get(group.key) ?? [] });
      this.groupSources.delete(group.key);
    }
    return units;
  }

  committableOffset(partition: number): bigint | null {
    let oldest: bigint | null = null;
    for (const sources of this.groupSources.values()) {
      for (const source of sources) {
        if (source.partition !== partition) continue;
        const offset = BigInt(source.offset);
        if (oldest === null || offset < oldest) oldest = offset;
      }
    }
    return oldest ?? this.nextOffsets.get(partition) ?? null;
  }

  revokePartition(partition: number): void {
    const groups = { ...this.state.groups };
    for (const [key, sources] of this.groupSources) {
      if (!sources.some((source) => source.partition === partition)) continue;
      delete groups[key];
      this.groupSources.delete(key);
    }
    this.state = { ...this.state, groups };
    this.output = this.output.filter(
      (unit) => unit.kind !== 'decisions' || unit.source.partition !== partition,
    );
    this.nextOffsets.delete(partition);
  }

  async write(units: readonly NotifierUnit[], now: number): Promise<void> {
    // A silence added during the group wait applies to what is sent now.
    const policy = units.some((unit) => unit.kind === 'group')
      ? await this.sinks.refreshPolicy(now)
      : this.currentPolicy();
    const ctx = { now, policy, options: this.settings.options };
    const decisions: Decision[] = [];
    const queued: OutboxEnvelope[] = [];
    for (const unit of units) {
      if (unit.kind === 'decisions') {
        decisions.push(...unit.decisions);
        continue;
      }
      unit.prepared ??= prepareGroup(unit.group, this.state, ctx);
      unit.claims ??= await Promise.all(
        unit.prepared.candidates.map(async (candidate) => ({
          candidate,
          verdict: await this.sinks.claim(candidate.operation),
        })),
      );
      unit.composed ??= composeGroup(unit.group, unit.claims, now);
      decisions.push(...unit.prepared.decisions, ...unit.composed.decisions);
      const notification = unit.composed.notification;
      if (!notification) continue;
      const envelope = this.envelope(notification, now);
      if (await this.sinks.enqueue(envelope, now, deliveryEntries(envelope, 'queued', now))) {
        queued.push(envelope);
      }
    }
    await this.sinks.journal(decisionEntries(decisions));
    this.events.decided?.(decisions);
    for (const envelope of queued) this.events.queued?.(envelope);
  }

  private envelope(notification: AlertNotification, now: number): OutboxEnvelope {
    const alerts = [
      ...(notification.overall ? [notification.overall] : []),
      ...notification.slices,
      ...notification.resolved,
    ];
    return {
      id: notification.id,
      kind: 'alert',
      queue: `alert:${groupKey(notification)}`,
      project_id: notification.project_id,
      metric: notification.metric,
      message: renderAlertMessage(notification, {
        channel: this.settings.options.channel,
        maxSlicesPerMessage: this.settings.options.maxSlicesPerMessage,
      }),
      alerts: alerts.map((alert) => ({
        alert_id: alert.alert_id,
        cooldown_key: cooldownKey(alert),
        project_id: alert.project_id,
        time: alert.time,
      })),
      enqueued_at: now,
      rounds: 0,
      attempts: 0,
      last_error: null,
    };
  }

  deadLetters(unit: NotifierUnit, reason: string): StageDeadLetter[] {
    const sources = unit.kind === 'decisions' ? [unit.source] : unit.sources;
    return sources.map((source) => ({
      key: source.key,
      letter: {
        source_topic: this.input,
        partition: source.partition,
        offset: source.offset,
        key: source.key,
        value: encodeDeadLetterValue(encodeTopicRecord(this.input, source.alert)),
        reason: 'sink_rejected',
        message: reason.slice(0, 4096),
        issues: [],
      },
    }));
  }
}

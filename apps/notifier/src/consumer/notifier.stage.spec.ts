import type { Alert, NotificationPolicy } from '@agentmon/contracts';
import { NotificationPolicySchema } from '@agentmon/contracts';
import {
  type CooldownOperation,
  type CooldownRecord,
  decideCooldown,
  notifierOptions,
} from '@agentmon/notifier-domain';
import { makeAlert } from '@agentmon/testing';
import type { NotifierSinksPort } from '../ports/notifier-sinks.port';
import type { JournalEntry, OutboxEnvelope } from '../sinks/redis-outbox';
import { NotifierStage, type NotifierUnit } from './notifier.stage';

class MemorySinks implements NotifierSinksPort {
  policy: NotificationPolicy = NotificationPolicySchema.parse({ version: 1 });
  readonly records = new Map<string, CooldownRecord>();
  readonly queued: OutboxEnvelope[] = [];
  readonly journaled: JournalEntry[] = [];
  private readonly seen = new Set<string>();
  failClaims = 0;

  async refreshPolicy(): Promise<NotificationPolicy> {
    return this.policy;
  }
  async claim(op: CooldownOperation) {
    if (this.failClaims > 0) {
      this.failClaims -= 1;
      throw new Error('redis down');
    }
    const { verdict, next } = decideCooldown(this.records.get(op.key) ?? null, op);
    if (next) this.records.set(op.key, next);
    return verdict;
  }
  async enqueue(envelope: OutboxEnvelope, _now: number, journal: readonly JournalEntry[]) {
    if (this.seen.has(envelope.id)) return false;
    this.seen.add(envelope.id);
    this.queued.push(envelope);
    this.journaled.push(...journal);
    return true;
  }
  async journal(entries: readonly JournalEntry[]) {
    this.journaled.push(...entries);
  }
  reasons(): string[] {
    return this.journaled
      .filter((e) => e.table === 'notifier_decisions')
      .map((e) => {
        const row = e.row as { alert_id: string; reason: string };
        return `${row.alert_id}:${row.reason}`;
      });
  }
}

const T0 = 1_700_000_000_000;
const WAIT = 30_000;

function setup(maxPendingAlerts = 100) {
  const sinks = new MemorySinks();
  const stage = new NotifierStage(
    sinks,
    {
      options: notifierOptions({ groupWaitMs: WAIT, cooldownMs: 300_000 }),
      maxPendingAlerts,
    },
    () => sinks.policy,
  );
  let offset = 0;
  const feed = (alerts: Alert[], now: number, partition = 0) =>
    stage.ingest(
      {
        partition,
        records: alerts.map((value) => ({
          offset: String(offset++),
          key: `${value.project_id}|${value.metric}`,
          value,
          partition,
          timestamp: String(now),
          headers: {},
        })) as never,
      },
      now,
    );
  const cycle = async (now: number) => {
    const units: NotifierUnit[] = stage.takeOutput(now);
    await stage.write(units, now);
    return units;
  };
  return { sinks, stage, feed, cycle };
}

const overall = (partial: Partial<Alert> = {}) =>
  makeAlert({
    alert_id: 'a-overall',
    fingerprint: 'p1:completion_rate:all',
    project_id: 'p1',
    slice: { dimension: 'all', value: '*' },
    current_value: 0.7,
    ...partial,
  });
const slice = (value: string, current: number, partial: Partial<Alert> = {}) =>
  makeAlert({
    alert_id: `a-${value}`,
    fingerprint: `p1:completion_rate:task_type=${value}`,
    project_id: 'p1',
    slice: { dimension: 'task_type', value },
    current_value: current,
    ...partial,
  });

describe('NotifierStage', () => {
  it('groups the slices of one metric into one message after the group wait, committing only then', async () => {
    const { sinks, stage, feed, cycle } = setup();
    feed([overall(), slice('code_review', 0.8), slice('code_debugging', 0.65)], T0);
    await cycle(T0);
    expect(sinks.queued).toHaveLength(0);
    expect(stage.committableOffset(0)).toBe(0n); // the group's first alert is still needed
    expect(sinks.reasons()).toEqual([
      'a-overall:grouped',
      'a-code_review:grouped',
      'a-code_debugging:grouped',
    ]);

    await cycle(T0 + WAIT);
    expect(stage.committableOffset(0)).toBe(3n);
    expect(sinks.queued).toHaveLength(1);
    const [envelope] = sinks.queued;
    expect(envelope.queue).toBe('alert:p1:completion_rate');
    expect(envelope.alerts.map((a) => a.alert_id)).toEqual([
      'a-overall',
      'a-code_debugging',
      'a-code_review',
    ]);
    expect(envelope.message.text).toContain('worst slices: task_type=code_debugging');
    expect(sinks.reasons().filter((r) => r.endsWith(':sent'))).toHaveLength(3);
  });

  it('a resolve within the group wait: nothing sent, the offset moves on', async () => {
    const { sinks, stage, feed, cycle } = setup();
    feed([slice('x', 0.7)], T0);
    feed([slice('x', 0.9, { alert_id: 'a-x-resolved', state: 'resolved' })], T0 + 1000);
    await cycle(T0 + WAIT + 1000);
    expect(sinks.queued).toHaveLength(0);
    expect(stage.committableOffset(0)).toBe(2n);
    expect(sinks.reasons()).toContain('a-x-resolved:resolved_before_send');
  });

  it('a silence added during the wait applies at send time; info goes to the digest', async () => {
    const { sinks, feed, cycle } = setup();
    feed([slice('x', 0.7), slice('y', 0.7, { severity: 'info' })], T0);
    await cycle(T0);
    sinks.policy = NotificationPolicySchema.parse({
      version: 1,
      silences: [
        {
          id: 'sil-1',
          matchers: { metric: 'completion_rate' },
          starts_at: new Date(T0).toISOString(),
          ends_at: new Date(T0 + 3_600_000).toISOString(),
          reason: 'known',
        },
      ],
    });
    await cycle(T0 + WAIT);
    expect(sinks.queued).toHaveLength(0);
    expect(sinks.reasons()).toEqual(['a-x:grouped', 'a-y:digest', 'a-x:silenced']);
  });

  it('cooldown: the same series is not queued twice; a failed write retried queues it once', async () => {
    const { sinks, feed, cycle, stage } = setup();
    feed([slice('x', 0.7)], T0);
    const units = stage.takeOutput(T0 + WAIT);
    sinks.failClaims = 1;
    await expect(stage.write(units, T0 + WAIT)).rejects.toThrow('redis down');
    await stage.write(units, T0 + WAIT);
    await stage.write(units, T0 + WAIT);
    expect(sinks.queued).toHaveLength(1);
    feed([slice('x', 0.6, { alert_id: 'a-x-2' })], T0 + 60_000);
    await cycle(T0 + 60_000 + WAIT);
    expect(sinks.queued).toHaveLength(1);
    expect(sinks.reasons()).toContain('a-x-2:cooldown');
  });

  it('bounded memory: past the limit the oldest group goes out early', async () => {
    const { sinks, feed, cycle } = setup(2);
    feed([slice('x', 0.7)], T0);
    feed(
      [
        makeAlert({
          alert_id: 'b',
          project_id: 'p1',
          metric: 'error_rate',
          fingerprint: 'e1',
          current_value: 0.5,
          baseline: 0.1,
        }),
      ],
      T0 + 10,
    );
    feed([makeAlert({ alert_id: 'c', project_id: 'p2', fingerprint: 'c1' })], T0 + 20);
    await cycle(T0 + 20);
    expect(sinks.queued.map((e) => e.alerts[0].alert_id)).toEqual(['a-x']);
  });

  it('revocation drops the partition’s groups (the new owner replays them)', async () => {
    const { sinks, stage, feed, cycle } = setup();
    feed([slice('x', 0.7)], T0, 1);
    stage.revokePartition(1);
    expect(stage.committableOffset(1)).toBeNull();
    await cycle(T0 + WAIT);
    expect(sinks.queued).toHaveLength(0);
  });
});

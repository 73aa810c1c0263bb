import { type Alert, NotificationPolicySchema, type NotificationPolicy } from '@agentmon/contracts';
import { makeAlert } from '@agentmon/testing';
import { type CooldownRecord, decideCooldown } from './cooldown';
import type { Decision } from './decision';
import {
  type AlertNotification,
  composeGroup,
  type EngineContext,
  initialNotifierState,
  nextDueAt,
  type NotifierState,
  onAlert,
  prepareGroup,
  takeDueGroups,
} from './notifier-engine';
import { notifierOptions } from './notifier-options';

const T = Date.UTC(2025, 0, 1, 10);
const options = notifierOptions();

/** Drives the engine like the app does, with an in-memory cooldown store running the same rule. */
class Harness {
  state: NotifierState = initialNotifierState();
  decisions: Decision[] = [];
  sent: AlertNotification[] = [];
  store = new Map<string, CooldownRecord>();
  policy: NotificationPolicy = NotificationPolicySchema.parse({ version: 1 });

  ctx(now: number): EngineContext {
    return { now, policy: this.policy, options };
  }

  alert(at: number, alert: Alert): this {
    const step = onAlert(this.state, alert, this.ctx(at));
    this.state = step.state;
    this.decisions.push(...step.decisions);
    return this;
  }

  tick(now: number): this {
    const { state, due } = takeDueGroups(this.state, now);
    this.state = state;
    for (const group of due) {
      const prepared = prepareGroup(group, this.state, this.ctx(now));
      this.decisions.push(...prepared.decisions);
      const claims = prepared.candidates.map((candidate) => {
        const { verdict, next } = decideCooldown(
          this.store.get(candidate.operation.key) ?? null,
          candidate.operation,
        );
        if (next) this.store.set(candidate.operation.key, next);
        return { candidate, verdict };
      });
      const composed = composeGroup(group, claims, now);
      this.decisions.push(...composed.decisions);
      if (composed.notification) this.sent.push(composed.notification);
    }
    return this;
  }

  reasons(alertId: string): string[] {
    return this.decisions.filter((d) => d.alert.alert_id === alertId).map((d) => d.reason);
  }
}

const overall = (p: Partial<Alert> = {}) =>
  makeAlert({
    alert_id: 'overall',
    fingerprint: 'p1:completion_rate:all',
    slice: { dimension: 'all', value: '*' },
    current_value: 0.8,
    baseline: 0.9,
    ...p,
  });
const slice = (value: string, current: number, p: Partial<Alert> = {}) =>
  makeAlert({
    alert_id: `slice-${value}`,
    fingerprint: `p1:completion_rate:task_type=${value}`,
    slice: { dimension: 'task_type', value },
    current_value: current,
    baseline: 0.9,
    ...p,
  });

describe('notifier engine', () => {
  it('groups one project and metric within the group wait, overall first, slices worst first', () => {
    const h = new Harness()
      .alert(T, slice('faq', 0.78, { severity: 'warning' }))
      .alert(T + 1_000, slice('code_debugging', 0.65))
      .alert(T + 2_000, overall())
      .alert(T + 3_000, slice('code_review', 0.8));
    expect(nextDueAt(h.state)).toBe(T + options.groupWaitMs);
    h.tick(T + options.groupWaitMs - 1);
    expect(h.sent).toHaveLength(0);
    h.tick(T + options.groupWaitMs);
    expect(h.sent).toHaveLength(1);
    const [n] = h.sent;
    expect(n.severity).toBe('critical');
    expect(n.overall?.alert_id).toBe('overall');
    expect(n.slices.map((a) => a.alert_id)).toEqual([
      'slice-code_debugging',
      'slice-code_review',
      'slice-faq',
    ]);
    expect(h.reasons('slice-faq')).toEqual(['grouped', 'sent']);
    expect(
      h.decisions.filter((d) => d.reason === 'sent').every((d) => d.notification_id === n.id),
    ).toBe(true);
    expect(nextDueAt(h.state)).toBeNull();
  });

  it('separate groups per project and per metric; an alert after the group went out opens a new one', () => {
    const h = new Harness()
      .alert(T, slice('faq', 0.7))
      .alert(T, slice('faq', 0.7, { alert_id: 'p2', project_id: 'project-2', fingerprint: 'p2' }))
      .alert(T, makeAlert({ alert_id: 'err', fingerprint: 'err', metric: 'error_rate' }))
      .tick(T + 30_000)
      .alert(T + 31_000, slice('code_review', 0.7))
      .tick(T + 61_000);
    expect(h.sent.map((n) => `${n.project_id}/${n.metric}/${n.slices.length}`)).toEqual([
      'project-1/completion_rate/1',
      'project-1/error_rate/1',
      'project-2/completion_rate/1',
      'project-1/completion_rate/1',
    ]);
  });

  it('an alert that resolves before its group is sent is not sent at all', () => {
    const h = new Harness()
      .alert(T, slice('faq', 0.7))
      .alert(T + 1_000, slice('code_review', 0.7))
      .alert(T + 5_000, slice('faq', 0.9, { alert_id: 'faq-resolved', state: 'resolved' }))
      .tick(T + 30_000);
    expect(h.reasons('slice-faq')).toEqual(['grouped', 'resolved_before_send']);
    expect(h.reasons('faq-resolved')).toEqual(['resolved_before_send']);
    expect(h.sent).toHaveLength(1);
    expect(h.sent[0].slices.map((a) => a.alert_id)).toEqual(['slice-code_review']);
  });

  it('a group emptied by resolves sends nothing', () => {
    const h = new Harness()
      .alert(T, slice('faq', 0.7))
      .alert(T + 5_000, slice('faq', 0.9, { alert_id: 'r', state: 'resolved' }))
      .tick(T + 60_000);
    expect(h.sent).toHaveLength(0);
    expect(nextDueAt(h.state)).toBeNull();
  });

  it('cooldown: same series and severity not sent again within cooldown; resolve sent once and re-arms', () => {
    const h = new Harness().alert(T, slice('faq', 0.7)).tick(T + 30_000);
    h.alert(T + 60_000, slice('faq', 0.6, { alert_id: 'again' })).tick(T + 90_000);
    expect(h.reasons('again')).toEqual(['grouped', 'cooldown']);
    h.alert(T + 100_000, slice('faq', 0.6, { alert_id: 'warn', severity: 'warning' })).tick(
      T + 130_000,
    );
    expect(h.reasons('warn')).toEqual(['grouped', 'sent']);

    h.alert(T + 200_000, slice('faq', 0.9, { alert_id: 'res', state: 'resolved' })).tick(
      T + 230_000,
    );
    expect(h.reasons('res')).toEqual(['grouped', 'sent']);
    expect(h.sent.at(-1)).toMatchObject({
      state: 'resolved',
      resolved: [expect.objectContaining({ alert_id: 'res' })],
    });
    h.alert(T + 240_000, slice('faq', 0.9, { alert_id: 'res-2', state: 'resolved' })).tick(
      T + 270_000,
    );
    expect(h.reasons('res-2')).toEqual(['grouped', 'resolve_not_sent']);

    h.alert(T + 280_000, slice('faq', 0.5, { alert_id: 'refire' })).tick(T + 310_000);
    expect(h.reasons('refire')).toEqual(['grouped', 'sent']);
    h.alert(T + 700_000, slice('faq', 0.5, { alert_id: 'later' })).tick(T + 730_000);
    expect(h.reasons('later')).toEqual(['grouped', 'sent']);
  });

  it('inhibition: a firing critical suppresses the warning of the same metric and slice', () => {
    const h = new Harness()
      .alert(T, slice('faq', 0.6, { alert_id: 'crit', fingerprint: 'fp-crit' }))
      .alert(
        T + 1_000,
        slice('faq', 0.8, { alert_id: 'warn', fingerprint: 'fp-warn', severity: 'warning' }),
      )
      .alert(
        T + 1_000,
        slice('code_review', 0.8, {
          alert_id: 'other-warn',
          fingerprint: 'fp-other',
          severity: 'warning',
        }),
      )
      .tick(T + 30_000);
    expect(h.reasons('warn')).toEqual(['inhibited']);
    expect(h.decisions.find((d) => d.alert.alert_id === 'warn')).toMatchObject({
      inhibited_by: 'crit',
      inhibit_rule_id: 'critical-inhibits-warning',
    });
    expect(h.reasons('other-warn')).toEqual(['grouped', 'sent']);
    // Once the critical resolves, the warning is no longer inhibited.
    h.alert(
      T + 40_000,
      slice('faq', 0.9, { alert_id: 'crit-res', fingerprint: 'fp-crit', state: 'resolved' }),
    );
    h.alert(
      T + 41_000,
      slice('faq', 0.8, { alert_id: 'warn-2', fingerprint: 'fp-warn', severity: 'warning' }),
    );
    h.tick(T + 80_000);
    expect(h.reasons('warn-2')).toEqual(['grouped', 'sent']);
  });

  it('a critical arriving during the wait removes the pending warning it inhibits', () => {
    const h = new Harness()
      .alert(
        T,
        slice('faq', 0.8, { alert_id: 'warn', fingerprint: 'fp-warn', severity: 'warning' }),
      )
      .alert(T + 1_000, slice('faq', 0.6, { alert_id: 'crit', fingerprint: 'fp-crit' }))
      .tick(T + 30_000);
    expect(h.reasons('warn')).toEqual(['grouped', 'inhibited']);
    expect(h.sent[0].slices.map((a) => a.alert_id)).toEqual(['crit']);
  });

  it('silences: matching alerts are silenced at arrival and at send time, others go out', () => {
    const h = new Harness();
    h.alert(T, slice('code_review', 0.7));
    h.policy = NotificationPolicySchema.parse({
      version: 1,
      silences: [
        {
          id: 'sil-1',
          matchers: { metric: 'completion_rate', slice: { dimension: 'task_type', value: 'faq' } },
          starts_at: new Date(T).toISOString(),
          ends_at: new Date(T + 3_600_000).toISOString(),
          reason: 'fix rolling out',
        },
        {
          id: 'sil-2',
          matchers: {
            metric: 'completion_rate',
            slice: { dimension: 'task_type', value: 'code_review' },
          },
          starts_at: new Date(T + 10_000).toISOString(),
          ends_at: new Date(T + 3_600_000).toISOString(),
          reason: 'added during the wait',
        },
      ],
    });
    h.alert(T + 1_000, slice('faq', 0.7))
      .alert(T + 1_000, slice('billing', 0.7))
      .tick(T + 30_000);
    expect(h.reasons('slice-faq')).toEqual(['silenced']);
    expect(h.decisions.find((d) => d.alert.alert_id === 'slice-faq')).toMatchObject({
      silence_id: 'sil-1',
      detail: 'fix rolling out',
    });
    expect(h.reasons('slice-code_review')).toEqual(['grouped', 'silenced']);
    expect(h.sent[0].slices.map((a) => a.alert_id)).toEqual(['slice-billing']);
  });

  it('info alerts go to the digest, not to a group', () => {
    const h = new Harness()
      .alert(T, slice('faq', 0.85, { alert_id: 'info', severity: 'info' }))
      .tick(T + 30_000);
    expect(h.reasons('info')).toEqual(['digest']);
    expect(h.sent).toHaveLength(0);
  });

  it('a newer change of the same fingerprint supersedes the pending one', () => {
    const h = new Harness()
      .alert(T, slice('faq', 0.8))
      .alert(T + 1_000, slice('faq', 0.7, { alert_id: 'newer' }))
      .tick(T + 30_000);
    expect(h.reasons('slice-faq')).toEqual(['grouped', 'superseded']);
    expect(h.sent[0].slices.map((a) => a.alert_id)).toEqual(['newer']);
  });

  it('is deterministic: the same alerts give the same notification id', () => {
    const run = () =>
      new Harness()
        .alert(T, slice('faq', 0.7))
        .alert(T, overall())
        .tick(T + 30_000).sent[0].id;
    expect(run()).toBe(run());
  });

  it('state is plain JSON (the app may persist it)', () => {
    const h = new Harness().alert(T, slice('faq', 0.7));
    expect(JSON.parse(JSON.stringify(h.state))).toEqual(h.state);
  });
});

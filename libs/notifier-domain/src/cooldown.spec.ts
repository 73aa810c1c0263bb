import { makeAlert } from '@agentmon/testing';
import {
  cooldownOperation,
  type CooldownOperation,
  type CooldownRecord,
  decideCooldown,
  markCooldownDelivered,
} from './cooldown';
import { notifierOptions } from './notifier-options';
import { cooldownKey } from './series';

const T = Date.UTC(2025, 0, 1, 10);
const COOLDOWN = 300_000;
const op = (partial: Partial<CooldownOperation> = {}): CooldownOperation => ({
  key: 'k',
  alert_id: 'a2',
  state: 'firing',
  now: T,
  cooldown_ms: COOLDOWN,
  send_resolved: true,
  retention_ms: 7 * 86_400_000,
  ...partial,
});
const rec = (partial: Partial<CooldownRecord> = {}): CooldownRecord => ({
  state: 'firing',
  alert_id: 'a1',
  at: T - 60_000,
  delivered: true,
  ...partial,
});

describe('decideCooldown', () => {
  it.each<
    [string, CooldownRecord | null, Partial<CooldownOperation>, string, CooldownRecord | null]
  >([
    [
      'first firing',
      null,
      {},
      'send',
      { state: 'firing', alert_id: 'a2', at: T, delivered: false },
    ],
    ['firing within cooldown', rec(), {}, 'cooldown', null],
    ['firing 1 ms before cooldown ends', rec({ at: T - COOLDOWN + 1 }), {}, 'cooldown', null],
    [
      'firing exactly at cooldown end',
      rec({ at: T - COOLDOWN }),
      {},
      'send',
      { state: 'firing', alert_id: 'a2', at: T, delivered: false },
    ],
    [
      'firing after a resolve (re-armed)',
      rec({ state: 'resolved', at: T - 1_000 }),
      {},
      'send',
      { state: 'firing', alert_id: 'a2', at: T, delivered: false },
    ],
    [
      'replay of the claimed, undelivered alert',
      rec({ alert_id: 'a2', delivered: false }),
      {},
      'send',
      null,
    ],
    ['replay of the delivered alert', rec({ alert_id: 'a2' }), {}, 'already_sent', null],
    [
      'resolve of an open firing',
      rec(),
      { state: 'resolved' },
      'send',
      { state: 'resolved', alert_id: 'a2', at: T, delivered: false },
    ],
    ['resolve with nothing open', null, { state: 'resolved' }, 'resolve_unneeded', null],
    ['second resolve', rec({ state: 'resolved' }), { state: 'resolved' }, 'resolve_unneeded', null],
    [
      'resolve replay, undelivered',
      rec({ state: 'resolved', alert_id: 'a2', delivered: false }),
      { state: 'resolved' },
      'send',
      null,
    ],
    [
      'resolve after cooldown expiry still sent',
      rec({ at: T - 3_600_000 }),
      { state: 'resolved' },
      'send',
      { state: 'resolved', alert_id: 'a2', at: T, delivered: false },
    ],
    [
      'resolves off: re-arms, not sent',
      rec(),
      { state: 'resolved', send_resolved: false },
      'resolve_disabled',
      { state: 'resolved', alert_id: 'a2', at: T, delivered: true },
    ],
  ])('%s', (_name, record, partial, verdict, next) => {
    expect(decideCooldown(record, op(partial))).toEqual({ verdict, next });
  });

  it('a firing after a resolve with resolves off goes out at once', () => {
    const first = decideCooldown(rec(), op({ state: 'resolved', send_resolved: false }));
    expect(decideCooldown(first.next, op({ alert_id: 'a3', now: T + 1 })).verdict).toBe('send');
  });

  it('marks only its own record delivered', () => {
    expect(markCooldownDelivered(rec({ alert_id: 'a2', delivered: false }), 'a2')).toEqual(
      rec({ alert_id: 'a2' }),
    );
    expect(markCooldownDelivered(rec({ delivered: false }), 'a2')).toBeNull();
    expect(markCooldownDelivered(rec({ alert_id: 'a2' }), 'a2')).toBeNull();
    expect(markCooldownDelivered(null, 'a2')).toBeNull();
  });
});

describe('cooldownOperation', () => {
  it('keys by project, metric, slice and severity', () => {
    const options = notifierOptions({ cooldownMs: 1_000 });
    const base = makeAlert();
    const operation = cooldownOperation(base, T, options);
    expect(operation).toMatchObject({
      key: cooldownKey(base),
      alert_id: base.alert_id,
      now: T,
      cooldown_ms: 1_000,
    });
    expect(operation.key).toBe(
      'cooldown:project-1:completion_rate:task_type%3Dcode_review:critical',
    );
    for (const change of [
      { project_id: 'project-2' },
      { metric: 'error_rate' as const },
      { slice: { dimension: 'platform' as const, value: 'mobile' } },
      { severity: 'warning' as const },
    ]) {
      expect(cooldownKey(makeAlert(change))).not.toBe(operation.key);
    }
    expect(
      cooldownKey(makeAlert({ alert_id: 'other', message: 'other text', current_value: 0.1 })),
    ).toBe(operation.key);
  });
});

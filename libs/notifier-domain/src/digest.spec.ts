import type { Alert } from '@agentmon/contracts';
import { makeAlert } from '@agentmon/testing';
import type { Decision } from './decision';
import { digestId, digestProjects, dueDigest, nextDigestAt, summarizeDigest } from './digest';

const at = (iso: string) => Date.parse(iso);

describe('dueDigest', () => {
  it.each<[string, string, string | null, number, string | null]>([
    ['before the hour, never sent: yesterday’s', '2025-03-10T08:59:59Z', null, 9, '2025-03-09'],
    ['before the hour, yesterday sent: none', '2025-03-10T08:59:59Z', '2025-03-09', 9, null],
    ['at the hour: today’s', '2025-03-10T09:00:00Z', '2025-03-09', 9, '2025-03-10'],
    ['later that day, sent: none', '2025-03-10T18:00:00Z', '2025-03-10', 9, null],
    [
      'after a 3-day outage: only the latest',
      '2025-03-10T10:00:00Z',
      '2025-03-07',
      9,
      '2025-03-10',
    ],
    ['hour 0', '2025-03-10T00:00:00Z', '2025-03-09', 0, '2025-03-10'],
    ['hour 23, just before', '2025-03-10T22:59:59Z', '2025-03-09', 23, null],
    ['across a year end', '2025-01-01T09:30:00Z', '2024-12-31', 9, '2025-01-01'],
  ])('%s', (_name, now, last, hour, day) => {
    expect(dueDigest(at(now), last, hour)?.day ?? null).toBe(day);
  });

  it('covers the 24 hours before the digest time', () => {
    expect(dueDigest(at('2025-03-10T09:15:00Z'), null, 9)).toEqual({
      day: '2025-03-10',
      from: at('2025-03-09T09:00:00Z'),
      to: at('2025-03-10T09:00:00Z'),
    });
  });

  it('next digest time', () => {
    expect(nextDigestAt(at('2025-03-10T08:00:00Z'), 9)).toBe(at('2025-03-10T09:00:00Z'));
    expect(nextDigestAt(at('2025-03-10T09:00:00Z'), 9)).toBe(at('2025-03-11T09:00:00Z'));
  });

  it('digest id is deterministic per project and day', () => {
    expect(digestId('project-1', '2025-03-10')).toBe('digest:project-1:2025-03-10');
  });
});

describe('summarizeDigest', () => {
  const due = dueDigest(at('2025-03-10T09:00:00Z'), null, 9)!;
  const t = at('2025-03-10T03:00:00Z');
  const d = (reason: Decision['reason'], alert: Partial<Alert>, when = t): Decision => ({
    reason,
    at: when,
    alert: makeAlert(alert),
  });
  const debug = { slice: { dimension: 'task_type' as const, value: 'code_debugging' } };
  const decisions: Decision[] = [
    d('grouped', { alert_id: 'a1', ...debug, current_value: 0.65 }),
    d('sent', { alert_id: 'a1', ...debug, current_value: 0.65 }),
    d('sent', { alert_id: 'a1', ...debug, current_value: 0.65 }), // duplicate log line counts once
    d('cooldown', { alert_id: 'a2', ...debug, current_value: 0.6 }),
    d('silenced', {
      alert_id: 'a3',
      slice: { dimension: 'platform', value: 'mobile' },
      severity: 'warning',
      current_value: 0.78,
    }),
    d('inhibited', { alert_id: 'a4', ...debug, severity: 'warning' }),
    d('resolved_before_send', { alert_id: 'a5' }),
    d('sent', { alert_id: 'a6', slice: { dimension: 'all', value: '*' } }),
    d('sent', { alert_id: 'r1', state: 'resolved' }),
    d('digest', {
      alert_id: 'i1',
      fingerprint: 'drift',
      severity: 'info',
      metric: 'traffic_share',
      message: 'task mix shifted',
    }),
    d('digest', { alert_id: 'i2', fingerprint: 'gone', severity: 'info' }),
    d(
      'digest',
      { alert_id: 'i3', fingerprint: 'gone', severity: 'info', state: 'resolved' },
      t + 1,
    ),
    d('sent', { alert_id: 'old' }, due.from - 1),
    d('sent', { alert_id: 'other-project', project_id: 'project-2' }),
  ];

  it('counts each firing alert once by its final reason, lists worst slices and open info alerts', () => {
    const summary = summarizeDigest('project-1', due, decisions);
    expect(summary.id).toBe('digest:project-1:2025-03-10');
    expect(summary.counts).toEqual({
      sent: 2,
      silenced: 1,
      cooldown: 1,
      inhibited: 1,
      resolved_before_send: 1,
      info: 1,
    });
    expect(summary.worst_slices).toEqual([
      {
        metric: 'completion_rate',
        slice: 'task_type=code_debugging',
        severity: 'critical',
        change: '\u221230 pts',
        alerts: 3,
      },
      {
        metric: 'completion_rate',
        slice: 'task_type=code_review',
        severity: 'critical',
        change: '\u221212 pts',
        alerts: 1,
      },
      {
        metric: 'completion_rate',
        slice: 'platform=mobile',
        severity: 'warning',
        change: '\u221212 pts',
        alerts: 1,
      },
    ]);
    expect(summary.info_alerts.map((a) => a.alert_id)).toEqual(['i1']);
  });

  it('lists the projects with anything in the period', () => {
    expect(digestProjects(due, decisions)).toEqual(['project-1', 'project-2']);
  });
});

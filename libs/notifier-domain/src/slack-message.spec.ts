import type { Alert } from '@agentmon/contracts';
import { makeAlert } from '@agentmon/testing';
import { dueDigest, summarizeDigest } from './digest';
import type { AlertNotification } from './notifier-engine';
import {
  renderAlertMessage,
  renderDigestMessage,
  type SlackMessage,
  summaryLine,
} from './slack-message';

const T = Date.UTC(2025, 2, 10, 14, 5);
const W = Date.UTC(2025, 2, 10, 14, 0);
const alert = (p: Partial<Alert>) =>
  makeAlert({ window_start: W - 300_000, window_end: W, time: W, baseline: 0.9, ...p });

function exampleNotification(): AlertNotification {
  const overall = alert({
    alert_id: 'alrt-01J',
    fingerprint: 'project-1:completion_rate:all',
    slice: { dimension: 'all', value: '*' },
    current_value: 0.82,
    threshold: 0.85,
    message: 'Completion rate dropped from 90.0% to 82.0% (below the 85.0% control limit)',
  });
  return {
    kind: 'alert',
    id: 'ntf-1',
    project_id: 'project-1',
    metric: 'completion_rate',
    state: 'firing',
    severity: 'critical',
    overall,
    slices: [
      alert({
        alert_id: 'alrt-02J',
        slice: { dimension: 'task_type', value: 'code_debugging' },
        current_value: 0.65,
        threshold: 0.8,
      }),
      alert({
        alert_id: 'alrt-03J',
        slice: { dimension: 'platform', value: 'mobile' },
        severity: 'warning',
        current_value: 0.78,
        threshold: 0.8,
      }),
    ],
    resolved: [],
    created_at: T,
  };
}

function allText(message: SlackMessage): string {
  return JSON.stringify(message.blocks);
}

function checkSlackLimits(message: SlackMessage) {
  expect(message.blocks.length).toBeLessThanOrEqual(50);
  for (const block of message.blocks) {
    if (block.type === 'header') expect(block.text.text.length).toBeLessThanOrEqual(150);
    if (block.type === 'section') {
      expect((block.text?.text ?? '').length).toBeLessThanOrEqual(3000);
      expect((block.fields ?? []).length).toBeLessThanOrEqual(10);
    }
  }
}

describe('renderAlertMessage', () => {
  const message = renderAlertMessage(exampleNotification(), { channel: '#agent-alerts' });

  it('leads with the overall series and lists the slices worst first', () => {
    expect(summaryLine(exampleNotification())).toBe(
      'completion_rate critical overall \u22128 pts; worst slices: task_type=code_debugging \u221225 pts, platform=mobile \u221212 pts',
    );
  });

  it('carries severity, metric, slice, current vs baseline, threshold, window, alert id and a command', () => {
    expect(message.channel).toBe('#agent-alerts');
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: {
        type: 'plain_text',
        text: ':red_circle: CRITICAL \u00b7 completion_rate \u00b7 project-1',
        emoji: true,
      },
    });
    const text = allText(message);
    for (const part of [
      '*Severity*\\ncritical',
      '*Metric*\\n`completion_rate`',
      '*Slice*\\nall',
      '82% vs 90% (\u22128 pts)',
      '*Threshold*\\n85%',
      '*Window*\\n5m (2025-03-10 13:55\u201314:00 UTC)',
      '`alrt-01J`',
      '*task_type=code_debugging* critical: 65% vs 90% (\u221225 pts), threshold 80%',
      'npx agentmon dashboard --project project-1 --since 1h',
      'npx agentmon silence add --metric completion_rate --project project-1 --for 2h',
    ]) {
      expect(text).toContain(part);
    }
    checkSlackLimits(message);
  });

  it('has a plain-text fallback with the essentials', () => {
    expect(message.text).toBe(
      [
        '[project-1] completion_rate critical overall \u22128 pts; worst slices: task_type=code_debugging \u221225 pts, platform=mobile \u221212 pts',
        'all: 82% vs 90% (\u22128 pts), threshold 85%, window 5m (2025-03-10 13:55\u201314:00 UTC), alert alrt-01J',
        'Look deeper: npx agentmon dashboard --project project-1 --since 1h',
      ].join('\n'),
    );
  });

  it('without an overall alert, leads with the worst slice; long lists are capped', () => {
    const slices = Array.from({ length: 30 }, (_, i) =>
      alert({
        alert_id: `a${i}`,
        slice: { dimension: 'task_type', value: `t${i}` },
        current_value: 0.5 + i / 100,
      }),
    );
    const n = { ...exampleNotification(), overall: null, slices };
    const m = renderAlertMessage(n, { channel: '#c', maxSlicesPerMessage: 5 });
    expect(summaryLine(n, 5)).toMatch(
      /^completion_rate critical in 30 slices; worst slices: task_type=t0 \u221240 pts, .* and 25 more$/,
    );
    expect(allText(m)).toContain('and 24 more slices');
    checkSlackLimits(m);
  });

  it('renders a resolve-only message and escapes slice values', () => {
    const resolved = alert({
      alert_id: 'r1',
      state: 'resolved',
      current_value: 0.9,
      slice: { dimension: 'task_type', value: '<b>&x' },
    });
    const m = renderAlertMessage(
      {
        ...exampleNotification(),
        state: 'resolved',
        overall: null,
        slices: [],
        resolved: [resolved],
      },
      { channel: '#c' },
    );
    expect(m.blocks[0]).toMatchObject({
      text: { text: ':white_check_mark: RESOLVED \u00b7 completion_rate \u00b7 project-1' },
    });
    expect(allText(m)).toContain('*task_type=&lt;b&gt;&amp;x* critical back to 90%');
    expect(m.text).toContain('completion_rate resolved: task_type=<b>&x');
  });
});

describe('renderDigestMessage', () => {
  it('renders the counts, worst slices and info alerts', () => {
    const due = dueDigest(Date.UTC(2025, 2, 10, 9), null, 9)!;
    const at = Date.UTC(2025, 2, 10, 3);
    const summary = summarizeDigest('project-1', due, [
      { reason: 'sent', at, alert: makeAlert({ alert_id: 'a1' }) },
      { reason: 'cooldown', at, alert: makeAlert({ alert_id: 'a2' }) },
      {
        reason: 'digest',
        at,
        alert: makeAlert({
          alert_id: 'i1',
          severity: 'info',
          metric: 'traffic_share',
          message: 'task mix shifted toward code_debugging',
        }),
      },
    ]);
    const m = renderDigestMessage(summary, { channel: '#agent-alerts' });
    const text = allText(m);
    expect(text).toContain('Daily digest \u00b7 project-1 \u00b7 2025-03-10');
    expect(text).toContain(
      '1 sent \u00b7 0 silenced \u00b7 1 suppressed by cooldown \u00b7 0 inhibited',
    );
    expect(text).toContain(
      '*completion_rate* task_type=code_review critical: \u221212 pts (2 alerts)',
    );
    expect(text).toContain('task mix shifted toward code_debugging');
    expect(m.text).toContain('npx agentmon dashboard --project project-1 --since 24h');
    checkSlackLimits(m);
  });
});

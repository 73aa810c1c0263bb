import { planSimulation } from '../simulate-command';
import { generateTraffic, REGRESSED_TASK_TYPE } from '../simulate/scenarios';
import {
  DEMO_DENSE_WINDOWS,
  DEMO_HISTORY_MS,
  demoHistoryPlan,
  demoPlan,
  isDemoAlert,
  isDemoPage,
} from './demo';
import { renderSlackMessage, type SlackPost } from './slack-stand-in';

const NOW = Date.UTC(2026, 11, 2, 5, 30, 17);

describe('npm start demo plan', () => {
  it('is 20 whole one-minute windows ending before now, 300 traces each, regression in the last 6', () => {
    const plan = demoPlan(NOW, 60_000, 'abc');
    expect(plan.live).toBe(false);
    expect(plan.traces).toBe(DEMO_DENSE_WINDOWS * 300);
    expect(plan.traffic.startMs % 60_000).toBe(0);
    expect(plan.traffic.startMs + plan.traffic.durationMs).toBeLessThanOrEqual(NOW);
    const traces = [...generateTraffic(plan.traffic)];
    const incident = plan.traffic.startMs + 14 * 60_000;
    const bugFix = traces.filter((t) => t.taskType === REGRESSED_TASK_TYPE);
    const rate = (ts: typeof traces) => ts.filter((t) => t.completed).length / ts.length;
    expect(rate(bugFix.filter((t) => t.endMs < incident))).toBeGreaterThan(0.88);
    expect(rate(bugFix.filter((t) => t.endMs >= incident))).toBeLessThan(0.62);
  });
});

describe('npm start demo history', () => {
  const dense = demoPlan(NOW, 60_000, 'abc');
  const history = demoHistoryPlan(dense, 'abc');

  it('is a healthy backfilled day ending where the dense stretch starts', () => {
    expect(history.live).toBe(false);
    expect(history.traffic.scenario).toBe('healthy');
    expect(history.traffic.startMs + history.traffic.durationMs).toBe(dense.traffic.startMs);
    expect(history.traffic.durationMs).toBe(DEMO_HISTORY_MS);
    expect(history.traffic.runId).not.toBe(dense.traffic.runId);
  });

  it('keeps every window under the detector min samples (30), so charts warm up on the dense stretch', () => {
    const perWindow = new Map<number, number>();
    for (const t of generateTraffic(history.traffic)) {
      const w = Math.floor(t.endMs / 60_000);
      perWindow.set(w, (perWindow.get(w) ?? 0) + 1);
    }
    expect(Math.max(...perWindow.values())).toBeLessThan(30);
    expect([...perWindow.values()].reduce((a, b) => a + b, 0)).toBe(history.traces);
  });
});

describe('demo alert', () => {
  const alert = {
    severity: 'critical',
    metric: 'completion_rate',
    slice_dimension: 'task_type',
    slice_value: REGRESSED_TASK_TYPE,
  };
  it.each([
    [{}, true],
    [{ severity: 'warning' }, false],
    [{ metric: 'strong_completion_rate' }, false],
    [{ slice_dimension: 'all', slice_value: '*' }, false],
    [{ slice_value: 'code_review' }, false],
  ])('%p → %p', (change, expected) => {
    expect(isDemoAlert({ ...alert, ...change })).toBe(expected);
  });
});

describe('simulate plan', () => {
  const base = { scenario: 'healthy' as const, rate: 2, incidentAt: 0.5, seed: 1 };

  it('backfill covers the last D and is sent at once; duration runs live from now', () => {
    const backfill = planSimulation({ ...base, backfill: 3_600_000 }, NOW, 'r');
    expect(backfill).toMatchObject({ live: false, traces: 7200 });
    expect(backfill.traffic).toMatchObject({ startMs: NOW - 3_600_000, durationMs: 3_600_000 });
    const live = planSimulation({ ...base, duration: 30_000 }, NOW, 'r');
    expect(live).toMatchObject({ live: true, traces: 60 });
    expect(live.traffic.startMs).toBe(NOW);
    expect(planSimulation(base, NOW, 'r')).toMatchObject({ live: true, traces: 120 });
  });

  it('refuses --duration with --backfill, naming the option', () => {
    expect(() => planSimulation({ ...base, duration: 1000, backfill: 1000 }, NOW, 'r')).toThrow(
      /^duration: give either/,
    );
  });
});

describe('Slack stand-in rendering', () => {
  const post: SlackPost = {
    at: NOW,
    raw: '',
    payload: {
      channel: '#agent-alerts',
      text: '[demo-x] completion_rate critical in 1 slice; worst slices: task_type=bug_fix −30 pts',
      blocks: [
        { type: 'header', text: { text: 'CRITICAL · completion_rate · demo-x' } },
        { type: 'section', text: { text: 'summary' }, fields: [{ text: 'a' }, { text: 'b' }] },
        { type: 'divider' },
        { type: 'context', elements: [{ text: 'alert 1' }] },
      ],
    },
  };

  it('prints each block on its own line', () => {
    expect(renderSlackMessage(post.payload)).toBe(
      '(#agent-alerts)\n# CRITICAL · completion_rate · demo-x\nsummary\na   b\n────────\nalert 1',
    );
  });

  it('recognises the demo page by project, metric, severity and slice', () => {
    expect(isDemoPage(post, 'demo-x')).toBe(true);
    expect(isDemoPage(post, 'demo-y')).toBe(false);
    const warning = {
      ...post,
      payload: {
        ...post.payload,
        text: '[demo-x] completion_rate warning in 1 slice; task_type=bug_fix',
      },
    };
    expect(isDemoPage(warning, 'demo-x')).toBe(false);
  });
});

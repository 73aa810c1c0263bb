import type { ChartRule } from '@agentmon/contracts';
import { chartLimits, replayChart } from './chart-replay';
import { DetectorEngine } from './engine';
import { minutePoint } from './test-points';

describe('chartLimits', () => {
  const rule = (kind: ChartRule['kind'], warning: number, critical: number): ChartRule => ({
    metric: 'completion_rate',
    kind,
    warning,
    critical,
    enabled: true,
  });
  it.each([
    ['drop', 0.05, 0.1, 0.9, { warning: 0.85, critical: 0.8 }],
    ['rise', 0.05, 0.1, 0.02, { warning: 0.07, critical: 0.12 }],
    ['ratio', 1.5, 2, 1000, { warning: 1500, critical: 2000 }],
    ['level', 0.05, 0.1, 0.3, { warning: 0.05, critical: 0.1 }],
  ] as const)('%s', (kind, w, c, baseline, expected) => {
    const limits = chartLimits(rule(kind, w, c), baseline);
    expect(limits.warning).toBeCloseTo(expected.warning, 12);
    expect(limits.critical).toBeCloseTo(expected.critical, 12);
  });
});

describe('replayChart: the detector engine replayed over a series', () => {
  const settings = { lambda: 0.2, warmupWindows: 2, minSamples: 30, resolveWindows: 2 };
  const values = [0.9, 0.9, 0.9, 0.6, 0.6, 0.6];
  const points = values.map((v, i) => minutePoint(i, { completion_rate: v }));

  it('draws the warm-up, then the EWMA and limits the live engine computes', () => {
    const { rule, points: out } = replayChart(
      new DetectorEngine({ settings }),
      points,
      'completion_rate',
    );
    expect(rule).toMatchObject({ kind: 'drop', warning: 0.05, critical: 0.1 });
    expect(out.map((p) => p.value)).toEqual(values);
    expect(out[0]).toMatchObject({ baseline: null, ewma: null, warning: null });
    expect(out[1]!.baseline).toBeCloseTo(0.9, 12);
    expect(out[1]!.warning).toBeCloseTo(0.85, 12);
    expect(out[1]!.critical).toBeCloseTo(0.8, 12);
    // 0.2·0.6 + 0.8·0.9 = 0.84, then 0.792, then 0.7536.
    expect(out[3]!.ewma).toBeCloseTo(0.84, 12);
    expect(out[4]!.ewma).toBeCloseTo(0.792, 12);
    expect(out[5]!.ewma).toBeCloseTo(0.7536, 12);

    // The same points through a live engine: its state after each window is the chart's.
    const live = new DetectorEngine({ settings });
    const again = replayChart(live, points, 'completion_rate');
    expect(again.points).toEqual(out);
  });

  it('a higher revision of the latest window replaces its point; older windows are ignored', () => {
    const revised = [
      ...points.slice(0, 4),
      minutePoint(3, { completion_rate: 0.9 }, { revision: 1 }),
      minutePoint(1, { completion_rate: 0.1 }),
    ];
    const { points: out } = replayChart(
      new DetectorEngine({ settings }),
      revised,
      'completion_rate',
    );
    expect(out).toHaveLength(4);
    expect(out[3]!.value).toBe(0.9);
    expect(out[3]!.ewma).toBeCloseTo(0.9, 12);
  });

  it('a baseline reset restarts the warm-up at the window it applies to, and is marked', () => {
    const { points: out } = replayChart(
      new DetectorEngine({ settings }),
      points,
      'completion_rate',
      [{ from: points[4]!.windowStart, projectId: 'p1', metric: 'completion_rate' }],
    );
    expect(out[4]!.reset).toBe(true);
    expect(out.filter((p) => p.reset)).toHaveLength(1);
    // Warm-up again over windows 4 and 5: the new baseline is their mean.
    expect(out[4]!.baseline).toBeNull();
    expect(out[5]!.baseline).toBeCloseTo(0.6, 12);
  });
});

import { emptyPeriodMetrics, type PeriodMetrics } from '@agentmon/analytics-queries';
import { formatDashboard, type Dashboard } from './dashboard-command';

function dashboardWith(overall: Partial<PeriodMetrics>): Dashboard {
  return {
    from: '2026-03-02T00:00:00.000Z',
    to: '2026-03-03T00:00:00.000Z',
    project: 'p1',
    overall: { ...emptyPeriodMetrics(), trace_count: 1000, ...overall },
    slices: [
      {
        ...emptyPeriodMetrics(),
        dimension: 'task_type',
        value: 'support',
        trace_count: 250,
        corrected_rate: 0.32,
        satisfaction_index: -0.18,
      },
    ],
    recent_failures: [],
    open_alerts: [],
    windows_without_partial: 0,
  };
}

const satisfaction: Partial<PeriodMetrics> = {
  rating_positive_count: 18,
  rating_negative_count: 7,
  rating_coverage: 0.025,
  positive_share: 0.72,
  positive_share_low: 0.524,
  positive_share_high: 0.857,
  accepted_rate: 0.61,
  corrected_rate: 0.14,
  abandoned_rate: 0.05,
  follow_up_rate: 0.2,
  copied_rate: 0.33,
  satisfaction_index: 0.31,
};

describe('formatDashboard: user satisfaction', () => {
  it.each([
    ['rating coverage', /rating coverage\s*│\s*2\.5% \(25 rated\)/],
    ['positive share with its interval', /72\.0% \(52\.4%–85\.7%\)/],
    [
      'each implicit signal',
      /accepted 61\.0%, corrected 14\.0%, abandoned 5\.0%, follow-up 20\.0%, copied 33\.0%/,
    ],
    ['the satisfaction index', /satisfaction index \(−1…1\)\s*│\s*0\.31/],
    ['the slice table corrected rate and index', /task_type=support.*32\.0%.*-0\.18/],
  ])('shows %s', (_name, pattern) => {
    const text = formatDashboard(dashboardWith(satisfaction), {
      maxSlices: 10,
      minRatingCoverage: 0.05,
    });
    expect(text).toMatch(pattern);
  });

  it.each([
    [0.025, true],
    [0.049, true],
    [0.05, false],
    [0.2, false],
    [null, false],
  ])('coverage %p → caveat shown: %p', (coverage, shown) => {
    const text = formatDashboard(dashboardWith({ ...satisfaction, rating_coverage: coverage }), {
      maxSlices: 10,
      minRatingCoverage: 0.05,
    });
    expect(text.includes('of sessions: read the implicit signals')).toBe(shown);
  });
});

import { DetectorRulesError, parseDetectorRules, resolveRules } from './rules';

function problems(text: string, source = 'rules.yaml'): string[] {
  try {
    parseDetectorRules(text, source);
  } catch (error) {
    if (error instanceof DetectorRulesError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('detector rules file', () => {
  it('defaults: DESIGN table and user satisfaction on, the other metrics off', () => {
    const rules = resolveRules();
    expect(rules.charts.map((r) => `${r.metric}:${r.kind}:${r.warning}/${r.critical}`)).toEqual([
      'completion_rate:drop:0.05/0.1',
      'strong_completion_rate:drop:0.05/0.1',
      'latency_p95_ms:ratio:1.5/2',
      'error_rate:level:0.05/0.1',
      'cost_avg_usd:ratio:1.5/2',
      'corrected_rate:ratio:1.5/2',
      'abandoned_rate:ratio:1.5/2',
      'satisfaction_index:drop:0.1/0.2',
      'positive_share:interval_drop:0.05/0.1',
    ]);
    expect(rules.settings).toEqual({
      lambda: 0.2,
      warmupWindows: 5,
      minSamples: 30,
      resolveWindows: 2,
    });
    expect(rules.fastPage).toMatchObject({ enabled: true, drop: 0.1, window_minutes: 10 });
    expect(rules.trends.map((t) => t.metric)).toEqual([
      'completion_rate',
      'strong_completion_rate',
    ]);
    expect(rules.drift).toMatchObject({ psi_info: 0.1, psi_warning: 0.25 });
  });

  it('YAML switches metrics on, JSON works too, projects override by metric', () => {
    const file = parseDetectorRules(
      [
        'settings: { warmup_windows: 3 }',
        'charts:',
        '  - { metric: latency_p99_ms, kind: ratio, warning: 1.3, critical: 1.8, enabled: true }',
        '  - { metric: timeout_rate, kind: level, warning: 0.02, critical: 0.05 }',
        'projects:',
        '  checkout:',
        '    settings: { min_samples: 100 }',
        '    charts:',
        '      - { metric: completion_rate, kind: drop, warning: 0.02, critical: 0.04 }',
        '      - { metric: cost_avg_usd, kind: ratio, warning: 1.5, critical: 2, enabled: false }',
      ].join('\n'),
      'rules.yaml',
    );
    const global = resolveRules({ lambda: 0.3 }, file, 'other');
    expect(global.settings).toEqual({
      lambda: 0.3,
      warmupWindows: 3,
      minSamples: 30,
      resolveWindows: 2,
    });
    expect(global.charts.map((r) => r.metric)).toContain('latency_p99_ms');
    expect(global.charts.find((r) => r.metric === 'timeout_rate')).toMatchObject({ warning: 0.02 });
    const checkout = resolveRules({}, file, 'checkout');
    expect(checkout.settings.minSamples).toBe(100);
    expect(checkout.charts.find((r) => r.metric === 'completion_rate')).toMatchObject({
      warning: 0.02,
    });
    expect(checkout.charts.map((r) => r.metric)).not.toContain('cost_avg_usd');
    expect(parseDetectorRules('{"fast_page": {"drop": 0.2}}', 'r.json').fast_page?.drop).toBe(0.2);
  });

  it('satisfaction rules are switched off or retuned from the same file', () => {
    const file = parseDetectorRules(
      [
        'charts:',
        '  - { metric: corrected_rate, kind: ratio, warning: 1.5, critical: 2, enabled: false }',
        '  - { metric: positive_share, kind: interval_drop, warning: 0.1, critical: 0.2 }',
      ].join('\n'),
      'rules.yaml',
    );
    const rules = resolveRules({}, file);
    expect(rules.charts.map((r) => r.metric)).not.toContain('corrected_rate');
    expect(rules.charts.find((r) => r.metric === 'positive_share')).toMatchObject({
      kind: 'interval_drop',
      warning: 0.1,
    });
    expect(rules.charts.map((r) => r.metric)).toContain('abandoned_rate');
  });

  it.each([
    [
      'a bad threshold, naming rule and field',
      'charts:\n  - { metric: latency_p99_ms, kind: ratio, warning: 0.5, critical: 2 }',
      'rule charts[0] (latency_p99_ms), field warning: a ratio limit must be greater than 1',
    ],
    [
      'critical below warning',
      'charts:\n  - { metric: error_rate, kind: level, warning: 0.1, critical: 0.05 }',
      'rule charts[0] (error_rate), field critical: must be at least warning (0.1)',
    ],
    [
      'an unknown metric',
      'charts:\n  - { metric: latency, kind: ratio, warning: 1.5, critical: 2 }',
      'rule charts[0] (latency), field metric: Invalid option',
    ],
    ['an unknown field', 'fast_page: { dorp: 0.1 }', 'rule fast_page, field dorp: unknown field'],
    [
      'inside a project override',
      'projects:\n  checkout:\n    trends:\n      - { metric: completion_rate, direction: sideways }',
      'rule projects.checkout.trends[0] (completion_rate), field direction: Invalid option',
    ],
    [
      'a duplicate metric',
      'charts:\n  - { metric: error_rate, kind: level, warning: 0.1, critical: 0.2 }\n  - { metric: error_rate, kind: level, warning: 0.1, critical: 0.2 }',
      'rule charts[1] (error_rate), field metric: duplicate rule for metric "error_rate"',
    ],
    [
      'interval_drop on a metric without an interval',
      'charts:\n  - { metric: completion_rate, kind: interval_drop, warning: 0.05, critical: 0.1 }',
      'rule charts[0] (completion_rate), field kind: interval_drop needs a metric with an interval (positive_share)',
    ],
    ['broken YAML', 'charts: [', 'not valid YAML'],
  ])('reports %s', (_name, text, expected) => {
    const found = problems(text);
    expect(found.some((p) => p.startsWith(expected))).toBe(true);
  });

  it('an empty file is the defaults', () => {
    expect(parseDetectorRules('', 'rules.yaml')).toEqual({});
  });
});

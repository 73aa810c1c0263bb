import { emptyPeriodMetrics, type PeriodMetrics } from './period-metrics';
import { DEFAULT_RECOMMENDATION_THRESHOLDS, recommendActions } from './recommendations';

function metrics(
  overrides: Partial<PeriodMetrics> & { tool_failure_rate?: number } = {},
): PeriodMetrics {
  const base = emptyPeriodMetrics();
  const { tool_failure_rate, ...rest } = overrides;
  return {
    ...base,
    trace_count: 1000,
    completion_rate: 0.9,
    strong_completion_rate: 0.85,
    error_rate: 0.02,
    latency_p99_ms: 30_000,
    cost_per_successful_task_usd: 0.1,
    avg_steps: 4,
    avg_tokens: 3000,
    avg_tool_calls: 2,
    ...rest,
    error_type_rates: { ...base.error_type_rates, tool_failure: tool_failure_rate ?? 0.01 },
  };
}

describe('recommendActions', () => {
  it.each([
    ['healthy', metrics(), metrics(), []],
    ['completion below 80%', metrics({ completion_rate: 0.79 }), null, ['low_completion']],
    ['completion exactly 80%', metrics({ completion_rate: 0.8 }), null, []],
    ['error rate above 10%', metrics({ error_rate: 0.11 }), null, ['high_error_rate']],
    ['p99 above 2 minutes', metrics({ latency_p99_ms: 120_001 }), null, ['slow_p99']],
    ['many tool failures', metrics({ tool_failure_rate: 0.2 }), null, ['tool_failures']],
    [
      'cost per success up 20%',
      metrics({ cost_per_successful_task_usd: 0.12 }),
      metrics(),
      ['cost_per_success_growth'],
    ],
    [
      'cost per success up 10% exactly',
      metrics({ cost_per_successful_task_usd: 0.11 }),
      metrics(),
      [],
    ],
    ['no previous week', metrics({ cost_per_successful_task_usd: 5 }), null, []],
    [
      'everything at once, in DESIGN order',
      metrics({
        completion_rate: 0.5,
        error_rate: 0.3,
        latency_p99_ms: 600_000,
        tool_failure_rate: 0.3,
        cost_per_successful_task_usd: 1,
      }),
      metrics(),
      ['low_completion', 'high_error_rate', 'slow_p99', 'tool_failures', 'cost_per_success_growth'],
    ],
    ['no traffic', { ...metrics({ completion_rate: 0 }), trace_count: 0 }, null, []],
  ])('%s', (_name, current, previous, rules) => {
    expect(recommendActions(current, previous).map((r) => r.rule)).toEqual(rules);
  });

  it('names the per-session drivers of a cost rise, largest first', () => {
    const [rec] = recommendActions(
      metrics({
        cost_per_successful_task_usd: 0.15,
        avg_steps: 5,
        avg_tokens: 4500,
        avg_tool_calls: 2,
      }),
      metrics(),
    );
    expect(rec!.action).toMatch(/tokens \+50\.0%, steps \+25\.0%\./);
    expect(rec!.action).not.toMatch(/tool calls/);
  });

  it('honours configured thresholds', () => {
    const thresholds = { ...DEFAULT_RECOMMENDATION_THRESHOLDS, minCompletionRate: 0.95 };
    expect(recommendActions(metrics(), null, thresholds).map((r) => r.rule)).toEqual([
      'low_completion',
    ]);
  });
});

import type { PeriodMetrics } from './period-metrics';

/** DESIGN's weekly-report rules; every threshold is configurable (REPORT_* variables). */
export interface RecommendationThresholds {
  /** Completion below this → critical, investigate (0.8). */
  minCompletionRate: number;
  /** Tool-call error rate above this → check tool integrations and input validation (0.1). */
  maxErrorRate: number;
  /** p99 latency above this → look for loops or slow tools (120000 ms). */
  maxP99Ms: number;
  /** Share of traces with a tool failure above this → review tool reliability (0.05). */
  maxToolFailureRate: number;
  /** Cost per successful task up by more than this share week over week → name the driver (0.1). */
  maxCostPerSuccessGrowth: number;
}

export const DEFAULT_RECOMMENDATION_THRESHOLDS: RecommendationThresholds = {
  minCompletionRate: 0.8,
  maxErrorRate: 0.1,
  maxP99Ms: 120_000,
  maxToolFailureRate: 0.05,
  maxCostPerSuccessGrowth: 0.1,
};

export type RecommendationRule =
  'low_completion' | 'high_error_rate' | 'slow_p99' | 'tool_failures' | 'cost_per_success_growth';

export interface Recommendation {
  rule: RecommendationRule;
  severity: 'critical' | 'warning';
  metric: string;
  value: number;
  threshold: number;
  action: string;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** Relative growth (current / previous − 1); null without a positive previous value. */
function growth(current: number | null, previous: number | null): number | null {
  if (current === null || previous === null || previous <= 0) return null;
  return current / previous - 1;
}

/**
 * Recommended actions for a week's metrics against the week before, in DESIGN's order. Rules
 * without data (no traces, no tool calls, no successes) stay silent.
 */
export function recommendActions(
  current: PeriodMetrics,
  previous: PeriodMetrics | null,
  thresholds: RecommendationThresholds = DEFAULT_RECOMMENDATION_THRESHOLDS,
): Recommendation[] {
  const out: Recommendation[] = [];
  if (current.trace_count === 0) return out;
  const completion = current.completion_rate;
  if (completion !== null && completion < thresholds.minCompletionRate) {
    out.push({
      rule: 'low_completion',
      severity: 'critical',
      metric: 'completion_rate',
      value: completion,
      threshold: thresholds.minCompletionRate,
      action: `Completion is ${pct(completion)} (below ${pct(thresholds.minCompletionRate)}): critical, investigate the failing traces and the worst slices.`,
    });
  }
  const errorRate = current.error_rate;
  if (errorRate !== null && errorRate > thresholds.maxErrorRate) {
    out.push({
      rule: 'high_error_rate',
      severity: 'warning',
      metric: 'error_rate',
      value: errorRate,
      threshold: thresholds.maxErrorRate,
      action: `Tool-call error rate is ${pct(errorRate)} (above ${pct(thresholds.maxErrorRate)}): check tool integrations and input validation.`,
    });
  }
  const p99 = current.latency_p99_ms;
  if (p99 !== null && p99 > thresholds.maxP99Ms) {
    out.push({
      rule: 'slow_p99',
      severity: 'warning',
      metric: 'latency_p99_ms',
      value: p99,
      threshold: thresholds.maxP99Ms,
      action: `p99 latency is ${(p99 / 1000).toFixed(1)} s (above ${(thresholds.maxP99Ms / 1000).toFixed(0)} s): look for loops or slow tools.`,
    });
  }
  const toolFailures = current.error_type_rates.tool_failure;
  if (toolFailures !== null && toolFailures > thresholds.maxToolFailureRate) {
    out.push({
      rule: 'tool_failures',
      severity: 'warning',
      metric: 'tool_failure_rate',
      value: toolFailures,
      threshold: thresholds.maxToolFailureRate,
      action: `${pct(toolFailures)} of sessions hit a tool failure (above ${pct(thresholds.maxToolFailureRate)}): review tool reliability.`,
    });
  }
  if (previous !== null) {
    const costGrowth = growth(
      current.cost_per_successful_task_usd,
      previous.cost_per_successful_task_usd,
    );
    if (costGrowth !== null && costGrowth > thresholds.maxCostPerSuccessGrowth) {
      const candidates: [string, number | null][] = [
        ['steps', growth(current.avg_steps, previous.avg_steps)],
        ['tokens', growth(current.avg_tokens, previous.avg_tokens)],
        ['tool calls', growth(current.avg_tool_calls, previous.avg_tool_calls)],
      ];
      const drivers = candidates
        .filter((d): d is [string, number] => d[1] !== null && d[1] > 0)
        .sort((a, b) => b[1] - a[1]);
      const named =
        drivers.length === 0
          ? 'per-session steps, tokens and tool calls did not grow: check prices and the success rate'
          : `grew per session: ${drivers.map(([name, g]) => `${name} +${pct(g)}`).join(', ')}`;
      out.push({
        rule: 'cost_per_success_growth',
        severity: 'warning',
        metric: 'cost_per_successful_task_usd',
        value: costGrowth,
        threshold: thresholds.maxCostPerSuccessGrowth,
        action: `Cost per successful task rose ${pct(costGrowth)} week over week (above ${pct(thresholds.maxCostPerSuccessGrowth)}); ${named}.`,
      });
    }
  }
  return out;
}

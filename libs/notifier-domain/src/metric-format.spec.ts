import type { MetricName } from '@agentmon/contracts';
import { formatDelta, formatDuration, formatValue } from './metric-format';

describe('metric formatting', () => {
  it.each<[MetricName, number | null, string]>([
    ['completion_rate', 0.65, '65%'],
    ['completion_rate', 0.6543, '65.4%'],
    ['latency_p99_ms', 350, '350 ms'],
    ['latency_p99_ms', 1250, '1.25 s'],
    ['cost_avg_usd', 0.01234, '$0.0123'],
    ['cost_per_successful_task_usd', 2.5, '$2.50'],
    ['avg_steps', 4.567, '4.57'],
    ['completion_gap', -0.05, '\u22125%'],
    ['trace_count', null, 'n/a'],
  ])('%s %p → %s', (metric, value, text) => {
    expect(formatValue(metric, value)).toBe(text);
  });

  it.each<[MetricName, number, number | null, string | null]>([
    ['completion_rate', 0.65, 0.9, '\u221225 pts'],
    ['completion_rate', 0.78, 0.9, '\u221212 pts'],
    ['error_rate', 0.15, 0.05, '+10 pts'],
    ['latency_p95_ms', 2300, 1800, '+500 ms'],
    ['cost_avg_usd', 0.02, 0.01, '+$0.01'],
    ['avg_tokens', 1000, 1500, '\u2212500'],
    ['completion_rate', 0.5, null, null],
  ])('%s %p vs %p → %s', (metric, current, baseline, text) => {
    expect(formatDelta(metric, current, baseline)).toBe(text);
  });

  it.each([
    [0, '0s'],
    [45_000, '45s'],
    [300_000, '5m'],
    [3_600_000, '1h'],
    [9_000_000, '2h30m'],
  ])('duration %p → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

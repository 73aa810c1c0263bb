import type { MetricName } from '@agentmon/contracts';

/** How a metric's numbers read to a person. */
export type MetricUnit = 'ratio' | 'ms' | 'usd' | 'count';

export function metricUnit(metric: MetricName): MetricUnit {
  if (
    metric.endsWith('_rate') ||
    metric === 'completion_gap' ||
    metric === 'traffic_share' ||
    metric === 'rating_coverage' ||
    metric === 'positive_share'
  ) {
    return 'ratio';
  }
  if (metric.endsWith('_ms')) return 'ms';
  if (metric.endsWith('_usd')) return 'usd';
  return 'count';
}

const MINUS = '\u2212';

function trim(value: number, digits: number): string {
  return Number(value.toFixed(digits)).toString();
}

function magnitude(value: number, unit: MetricUnit): string {
  const abs = Math.abs(value);
  switch (unit) {
    case 'ratio':
      return `${trim(abs * 100, 1)}%`;
    case 'ms':
      return abs >= 1000 ? `${trim(abs / 1000, 2)} s` : `${trim(abs, 0)} ms`;
    case 'usd':
      return `$${abs >= 1 ? abs.toFixed(2) : trim(abs, 4)}`;
    case 'count':
      return trim(abs, 2);
  }
}

/** A value in its metric's unit: "65%", "1.25 s", "$0.0123", "4.5". */
export function formatValue(metric: MetricName, value: number | null): string {
  if (value === null) return 'n/a';
  const text = magnitude(value, metricUnit(metric));
  return value < 0 ? `${MINUS}${text}` : text;
}

/** Signed change from baseline: "−25 pts", "+350 ms", "+$0.01"; null without a baseline. */
export function formatDelta(
  metric: MetricName,
  current: number,
  baseline: number | null,
): string | null {
  if (baseline === null) return null;
  const delta = current - baseline;
  const unit = metricUnit(metric);
  const sign = delta < 0 ? MINUS : '+';
  if (unit === 'ratio') return `${sign}${trim(Math.abs(delta) * 100, 1)} pts`;
  return `${sign}${magnitude(delta, unit)}`;
}

/** A duration as the CLI takes it: "5m", "1h", "2h30m", "45s". */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  const parts = [h ? `${h}h` : '', m ? `${m}m` : '', s ? `${s}s` : ''].join('');
  return parts || '0s';
}

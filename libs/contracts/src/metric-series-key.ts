import type { MetricWindow } from './metric-window.schema';

export type MetricSeriesKeyParts = Pick<MetricWindow, 'project_id' | 'metric_group' | 'slice'>;

/**
 * The metrics-topic key: one series per project, metric group and slice, so every window of a
 * series lands on one partition in order. Slice values are free text, hence URI-encoded.
 */
export function metricSeriesKey({ project_id, metric_group, slice }: MetricSeriesKeyParts): string {
  return `${project_id}|${metric_group}|${slice.dimension}=${encodeURIComponent(slice.value)}`;
}

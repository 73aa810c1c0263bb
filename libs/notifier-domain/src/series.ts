import type { Alert, Slice } from '@agentmon/contracts';

/** "task_type=code_debugging"; the overall series is "all". */
export function sliceLabel(slice: Slice): string {
  return slice.dimension === 'all' ? 'all' : `${slice.dimension}=${slice.value}`;
}

export function isOverall(slice: Slice): boolean {
  return slice.dimension === 'all';
}

export function sameSlice(a: Slice, b: Slice): boolean {
  return a.dimension === b.dimension && a.value === b.value;
}

/** Cooldown identity: project + metric + slice + severity (DESIGN). */
export function cooldownKey(alert: Alert): string {
  return ['cooldown', alert.project_id, alert.metric, sliceLabel(alert.slice), alert.severity]
    .map(encodeURIComponent)
    .join(':');
}

/** Grouping identity: one message per project and metric. */
export function groupKey(alert: Pick<Alert, 'project_id' | 'metric'>): string {
  return `${encodeURIComponent(alert.project_id)}:${alert.metric}`;
}

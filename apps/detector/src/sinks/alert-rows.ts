import type { Alert } from '@agentmon/contracts';

/** A row of ClickHouse `alerts` (ReplacingMergeTree by project, time, alert_id, state). */
export interface AlertRow {
  project_id: string;
  occurred_at_ms: number;
  alert_id: string;
  fingerprint: string;
  state: string;
  severity: string;
  metric: string;
  slice_dimension: string;
  slice_value: string;
  message: string;
  current_value: number;
  /** 0 when the alert has no baseline (drift, absolute levels); the message says "n/a". */
  baseline: number;
  threshold: number;
}

export function toAlertRow(alert: Alert): AlertRow {
  return {
    project_id: alert.project_id,
    occurred_at_ms: alert.time,
    alert_id: alert.alert_id,
    fingerprint: alert.fingerprint,
    state: alert.state,
    severity: alert.severity,
    metric: alert.metric,
    slice_dimension: alert.slice.dimension,
    slice_value: alert.slice.value,
    message: alert.message,
    current_value: finite(alert.current_value),
    baseline: finite(alert.baseline ?? 0),
    threshold: finite(alert.threshold),
  };
}

function finite(n: number): number {
  return Number.isFinite(n) ? n : 0;
}

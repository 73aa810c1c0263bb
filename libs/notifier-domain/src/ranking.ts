import type { Alert, AlertSeverity } from '@agentmon/contracts';
import { sliceLabel } from './series';

const SEVERITY_RANK: Record<AlertSeverity, number> = { critical: 0, warning: 1, info: 2 };

export function severityRank(severity: AlertSeverity): number {
  return SEVERITY_RANK[severity];
}

/** The worse of two severities. */
export function worseSeverity(a: AlertSeverity, b: AlertSeverity): AlertSeverity {
  return severityRank(a) <= severityRank(b) ? a : b;
}

/** How far the series is from normal, in the metric's own unit (comparable within one metric). */
export function deviation(alert: Alert): number {
  return Math.abs(alert.current_value - (alert.baseline ?? alert.threshold));
}

/** Worst first: severity, then distance from baseline, then slice label (deterministic). */
export function compareWorstFirst(a: Alert, b: Alert): number {
  return (
    severityRank(a.severity) - severityRank(b.severity) ||
    deviation(b) - deviation(a) ||
    sliceLabel(a.slice).localeCompare(sliceLabel(b.slice)) ||
    a.alert_id.localeCompare(b.alert_id)
  );
}

/** A short deterministic hash (FNV-1a, 32 bit, hex) for ids derived from content. */
export function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

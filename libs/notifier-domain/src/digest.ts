import type { Alert, AlertSeverity, MetricName } from '@agentmon/contracts';
import type { Decision } from './decision';
import { formatDelta, formatValue } from './metric-format';
import { compareWorstFirst, deviation, severityRank } from './ranking';
import { isOverall, sliceLabel } from './series';

const DAY_MS = 86_400_000;

/** The digest due now: `day` is the UTC date it is sent on; it covers [from, to). */
export interface DueDigest {
  day: string;
  from: number;
  to: number;
}

function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Which digest is due at `now`, given the last day one was sent (null: never). The digest of day D
 * is due from D at digestHourUtc:00 and covers the 24 hours before that. Only the latest due day
 * is returned: digests missed during a long outage are skipped, not sent in a burst.
 */
export function dueDigest(
  now: number,
  lastSentDay: string | null,
  digestHourUtc: number,
): DueDigest | null {
  const midnight = Math.floor(now / DAY_MS) * DAY_MS;
  let to = midnight + digestHourUtc * 3_600_000;
  if (to > now) to -= DAY_MS;
  const day = utcDay(to);
  if (lastSentDay !== null && lastSentDay >= day) return null;
  return { day, from: to - DAY_MS, to };
}

/** When the next digest becomes due (for the app's timer). */
export function nextDigestAt(now: number, digestHourUtc: number): number {
  const midnight = Math.floor(now / DAY_MS) * DAY_MS;
  const today = midnight + digestHourUtc * 3_600_000;
  return today > now ? today : today + DAY_MS;
}

/**
 * Deterministic id of one project's digest for one day: the adapter claims it atomically
 * (Redis SET NX, or an insert keyed by it) so the digest goes out once across instances and restarts.
 */
export function digestId(projectId: string, day: string): string {
  return `digest:${encodeURIComponent(projectId)}:${day}`;
}

export interface DigestCounts {
  sent: number;
  silenced: number;
  cooldown: number;
  inhibited: number;
  resolved_before_send: number;
  info: number;
}

export interface WorstSlice {
  metric: MetricName;
  slice: string;
  severity: AlertSeverity;
  /** Largest change from baseline seen ("−25 pts"). */
  change: string;
  alerts: number;
}

export interface DigestSummary {
  id: string;
  project_id: string;
  day: string;
  from: number;
  to: number;
  counts: DigestCounts;
  worst_slices: WorstSlice[];
  /** Latest state per fingerprint of the info alerts still firing at the end, worst first. */
  info_alerts: Alert[];
  info_alerts_omitted: number;
}

/**
 * One project's digest from the day's decisions (the decision log the app keeps, e.g. in
 * ClickHouse). Counts firing alerts by final reason, once per alert_id.
 */
export function summarizeDigest(
  projectId: string,
  due: DueDigest,
  decisions: readonly Decision[],
  limits: { worstSlices?: number; infoAlerts?: number } = {},
): DigestSummary {
  const inPeriod = decisions.filter(
    (d) => d.alert.project_id === projectId && d.at >= due.from && d.at < due.to,
  );
  const counts: DigestCounts = {
    sent: 0,
    silenced: 0,
    cooldown: 0,
    inhibited: 0,
    resolved_before_send: 0,
    info: 0,
  };
  const counted = new Set<string>();
  const latestInfo = new Map<string, Decision>();
  const worst = new Map<string, { alert: Alert; alerts: number }>();

  for (const d of [...inPeriod].sort((a, b) => a.at - b.at)) {
    if (d.reason === 'digest') {
      latestInfo.set(d.alert.fingerprint, d);
      continue;
    }
    if (d.alert.state !== 'firing' || !(d.reason in counts)) continue;
    const countKey = `${d.alert.alert_id}`;
    if (counted.has(countKey)) continue;
    counted.add(countKey);
    counts[d.reason as keyof DigestCounts] += 1;
    if (isOverall(d.alert.slice)) continue;
    const sliceKey = `${d.alert.metric}|${sliceLabel(d.alert.slice)}`;
    const entry = worst.get(sliceKey);
    if (!entry) worst.set(sliceKey, { alert: d.alert, alerts: 1 });
    else {
      entry.alerts += 1;
      if (compareWorstFirst(d.alert, entry.alert) < 0) entry.alert = d.alert;
    }
  }

  const info = [...latestInfo.values()]
    .map((d) => d.alert)
    .filter((a) => a.state === 'firing')
    .sort(compareWorstFirst);
  counts.info = info.length;
  const infoLimit = limits.infoAlerts ?? 20;
  const worstSlices = [...worst.values()]
    .sort(
      (a, b) =>
        severityRank(a.alert.severity) - severityRank(b.alert.severity) ||
        b.alerts - a.alerts ||
        deviation(b.alert) - deviation(a.alert),
    )
    .slice(0, limits.worstSlices ?? 5)
    .map(({ alert, alerts }) => ({
      metric: alert.metric,
      slice: sliceLabel(alert.slice),
      severity: alert.severity,
      change:
        formatDelta(alert.metric, alert.current_value, alert.baseline) ??
        formatValue(alert.metric, alert.current_value),
      alerts,
    }));

  return {
    id: digestId(projectId, due.day),
    project_id: projectId,
    day: due.day,
    from: due.from,
    to: due.to,
    counts,
    worst_slices: worstSlices,
    info_alerts: info.slice(0, infoLimit),
    info_alerts_omitted: Math.max(0, info.length - infoLimit),
  };
}

/** The projects that have anything to report in the period (one digest each). */
export function digestProjects(due: DueDigest, decisions: readonly Decision[]): string[] {
  const projects = new Set<string>();
  for (const d of decisions)
    if (d.at >= due.from && d.at < due.to) projects.add(d.alert.project_id);
  return [...projects].sort();
}

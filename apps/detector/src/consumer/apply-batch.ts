import type { Alert } from '@agentmon/contracts';
import {
  createDetectorState,
  seriesKey,
  type ApplyOutcome,
  type DetectorEngine,
  type DetectorPoint,
} from '@agentmon/detector-domain';
import type { LoggedReset, StoredSeries } from '../ports/detector-sinks.port';

export interface BatchResult {
  alerts: Alert[];
  /** The states to store: series that took a point or a reset. */
  states: Map<string, StoredSeries>;
  outcomes: Record<ApplyOutcome, number>;
  resetsApplied: number;
}

/** Redis stream ids ("ms-seq") in log order. */
export function compareStreamIds(a: string, b: string): number {
  const [am, as = '0'] = a.split('-');
  const [bm, bs = '0'] = b.split('-');
  const byMs = Number(am) - Number(bm);
  return byMs !== 0 ? Math.sign(byMs) : Math.sign(Number(as) - Number(bs));
}

/**
 * The detector's pure step for one flush cycle: stored states + logged resets + the cycle's
 * points (in offset order) → alerts and new states. Deterministic: the same inputs give the same
 * alerts and states, which is what makes a replay after a crash harmless.
 */
export function applyBatch(
  engine: DetectorEngine,
  keys: readonly string[],
  stored: readonly (StoredSeries | null)[],
  resets: readonly LoggedReset[],
  points: readonly DetectorPoint[],
): BatchResult {
  const state = createDetectorState();
  const cursors = new Map<string, string>();
  const touched = new Set<string>();
  const latestReset = resets.length > 0 ? resets[resets.length - 1].id : '0-0';
  let resetsApplied = 0;
  keys.forEach((key, i) => {
    const entry = stored[i];
    if (!entry) {
      // A new series warms up anyway: earlier resets do not concern it.
      cursors.set(key, latestReset);
      return;
    }
    state.series[key] = entry.series;
    if (entry.project) state.projects[entry.series.projectId] = entry.project;
    for (const { id, reset } of resets) {
      if (compareStreamIds(id, entry.resetCursor) <= 0) continue;
      const one = { version: 1 as const, series: { [key]: entry.series }, projects: {} };
      if (engine.resetBaseline(one, reset) > 0) resetsApplied++;
      touched.add(key);
    }
    cursors.set(
      key,
      compareStreamIds(latestReset, entry.resetCursor) > 0 ? latestReset : entry.resetCursor,
    );
  });

  const alerts: Alert[] = [];
  const outcomes: Record<ApplyOutcome, number> = {
    applied: 0,
    replaced: 0,
    duplicate: 0,
    stale: 0,
  };
  for (const point of points) {
    const result = engine.apply(state, point);
    outcomes[result.outcome]++;
    if (result.outcome === 'applied' || result.outcome === 'replaced') {
      touched.add(seriesKey(point.projectId, point.slice));
    }
    alerts.push(...result.alerts);
  }

  const states = new Map<string, StoredSeries>();
  for (const key of touched) {
    const series = state.series[key];
    if (!series) continue;
    const project = series.slice.dimension === 'all' ? state.projects[series.projectId] : undefined;
    states.set(key, {
      v: 1,
      series,
      ...(project ? { project } : {}),
      resetCursor: cursors.get(key) ?? latestReset,
    });
  }
  return { alerts, states, outcomes, resetsApplied };
}

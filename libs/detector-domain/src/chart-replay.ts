import type { ChartMetric, ChartRule } from '@agentmon/contracts';
import { DetectorEngine, type BaselineReset } from './engine';
import { seriesKey, type DetectorPoint } from './point';
import { createDetectorState } from './state';

/** Where a chart rule draws its warning and critical limits for a baseline. */
export function chartLimits(
  rule: ChartRule,
  baseline: number,
): { warning: number; critical: number } {
  switch (rule.kind) {
    case 'drop':
    case 'interval_drop':
      return { warning: baseline - rule.warning, critical: baseline - rule.critical };
    case 'rise':
      return { warning: baseline + rule.warning, critical: baseline + rule.critical };
    case 'ratio':
      return { warning: baseline * rule.warning, critical: baseline * rule.critical };
    case 'level':
      return { warning: rule.warning, critical: rule.critical };
  }
}

/** One window of a replayed control chart; nulls while the chart warms up or has no value. */
export interface ChartReplayPoint {
  windowStart: number;
  windowEnd: number;
  traceCount: number | null;
  value: number | null;
  ewma: number | null;
  baseline: number | null;
  warning: number | null;
  critical: number | null;
  /** A baseline reset took effect at this window. */
  reset: boolean;
}

/**
 * The control chart of one metric of one series, as the live detector computed it: the series'
 * windows (oldest first) go through the same DetectorEngine with the same settings and rules,
 * baseline resets are applied where the detector applied them, and after each window the
 * chart's EWMA and baseline are read from the engine's state. Nothing is re-implemented here, so
 * the console's line is the detector's line (the detector stores only the latest state).
 */
export function replayChart(
  engine: DetectorEngine,
  points: readonly DetectorPoint[],
  metric: ChartMetric,
  resets: readonly BaselineReset[] = [],
): { rule: ChartRule | null; points: ChartReplayPoint[] } {
  const state = createDetectorState();
  const pending = [...resets].sort((a, b) => a.from - b.from);
  const out: ChartReplayPoint[] = [];
  let rule: ChartRule | null = null;
  for (const point of points) {
    rule ??= engine.rulesFor(point.projectId).charts.find((r) => r.metric === metric) ?? null;
    let reset = false;
    while (pending.length > 0 && pending[0].from <= point.windowStart) {
      engine.resetBaseline(state, pending.shift()!);
      reset = true;
    }
    const { outcome } = engine.apply(state, point);
    if (outcome === 'stale' || outcome === 'duplicate') continue;
    const core = state.series[seriesKey(point.projectId, point.slice)]?.charts[metric];
    const baseline = core?.baseline ?? null;
    const limits = rule !== null && baseline !== null ? chartLimits(rule, baseline) : null;
    const entry: ChartReplayPoint = {
      windowStart: point.windowStart,
      windowEnd: point.windowEnd,
      traceCount: point.traceCount,
      value: point.values[metric] ?? null,
      ewma: core?.ewma ?? null,
      baseline,
      warning: limits?.warning ?? null,
      critical: limits?.critical ?? null,
      reset,
    };
    if (outcome === 'replaced' && out.length > 0) out[out.length - 1] = entry;
    else out.push(entry);
  }
  return { rule, points: out };
}

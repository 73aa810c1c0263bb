import type {
  Alert,
  AlertSeverity,
  ChartMetric,
  ChartRule,
  DetectorRulesFile,
  MetricName,
  Slice,
  SliceDimension,
  TrendRule,
} from '@agentmon/contracts';
import {
  alertFingerprint,
  alertId,
  OVERALL_SLICE,
  seriesKey,
  sliceText,
  type DetectorPoint,
} from './point';
import { resolveRules, type DetectorSettings, type EffectiveRules } from './rules';
import type {
  AlertTrack,
  ChartCore,
  DetectorState,
  ProjectMixState,
  SeriesSnapshot,
  SeriesState,
} from './state';
import { EPSILON, ewmaStep, jensenShannon, linearFit, psi, shares, tCritical001 } from './stats';

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
export const WEEK_MS = 7 * DAY_MS;
/** Closed daily values kept per chart (the longest trend window allowed). */
const MAX_DAYS = 90;

export type DetectorKind = 'chart' | 'fast_page' | 'trend' | 'drift' | 'adversarial';

const RANK: Record<AlertSeverity, number> = { info: 1, warning: 2, critical: 3 };

export function severityRank(s: AlertSeverity | null | undefined): number {
  return s ? RANK[s] : 0;
}

/** A detector that is beyond a threshold after taking the point (the replay output). */
export interface PointStatus {
  detector: DetectorKind;
  metric: MetricName;
  slice: Slice;
  severity: AlertSeverity;
  value: number;
  baseline: number | null;
  threshold: number;
}

export type ApplyOutcome = 'applied' | 'replaced' | 'duplicate' | 'stale';

export interface ApplyResult {
  /**
   * `applied`: a new window; `replaced`: a higher revision of the latest window, recomputed from
   * the state before it; `duplicate`: this or a higher revision was applied already (nothing
   * changes); `stale`: a window older than the latest applied one (ignored, see README).
   */
  outcome: ApplyOutcome;
  /** State changes to publish (firing, escalation/de-escalation as firing, resolved). */
  alerts: Alert[];
  statuses: PointStatus[];
}

export interface BaselineReset {
  /** First window_start the reset applies to (the injected "now" for a reset from the CLI). */
  from: number;
  projectId?: string;
  metric?: ChartMetric;
  slice?: Slice;
}

export interface DetectorEngineOptions {
  settings?: Partial<DetectorSettings>;
  rules?: DetectorRulesFile;
  /**
   * Where traffic-drift counts come from. `slices` (default; the replay command): each sliced
   * window's trace count. `overall` (the live detector): the overall window's `mix` only, so a
   * project's drift state lives with its overall series (one partition) and sliced windows never
   * touch `state.projects`.
   */
  mixSource?: 'slices' | 'overall';
}

interface Evaluation {
  severity: AlertSeverity | null;
  value: number;
  baseline: number | null;
  threshold: number;
}

function emptyCore(): ChartCore {
  return { warmCount: 0, warmSum: 0, baseline: null, ewma: null, day: null, days: [] };
}

function emptySeries(point: DetectorPoint): SeriesState {
  return {
    projectId: point.projectId,
    slice: { dimension: point.slice.dimension, value: point.slice.value },
    last: null,
    charts: {},
    fast: [],
    tracks: {},
    resets: {},
  };
}

function emptyProject(): ProjectMixState {
  return { mix: {}, openHour: {}, flagged: {}, flaggedOpenHour: null, tracks: {} };
}

/**
 * The state a higher revision of this window restarts from. Taken on every point, so it copies by
 * hand what `apply` mutates in place (chart numbers, the open day, the arrays) and shares what it
 * never mutates (closed days, fast entries): ~20× cheaper than a JSON round trip.
 */
function snapshot(s: SeriesState): SeriesSnapshot {
  const calm: Record<string, number> = {};
  for (const k in s.tracks) calm[k] = s.tracks[k].calm;
  const charts: Record<string, ChartCore> = {};
  for (const k in s.charts) {
    const c = s.charts[k];
    charts[k] = {
      warmCount: c.warmCount,
      warmSum: c.warmSum,
      baseline: c.baseline,
      ewma: c.ewma,
      day: c.day ? { start: c.day.start, sum: c.day.sum, weight: c.day.weight } : null,
      days: c.days.slice(),
    };
  }
  return { charts, fast: s.fast.slice(), calm };
}

function fmt(n: number | null): string {
  if (n === null) return 'n/a';
  return Number.isInteger(n) ? String(n) : n.toPrecision(4).replace(/\.?0+$/, '');
}

/**
 * Severity of a chart rule for an EWMA value against a baseline, with the warning limit.
 * `upperBound` is the window's 95 % interval upper bound, read by `interval_drop` only (which
 * then reports it as the value; without one it never fires).
 */
export function evaluateChartRule(
  rule: ChartRule,
  ewma: number,
  baseline: number,
  upperBound?: number | null,
): Evaluation {
  let deviation: number;
  let warnAt: number;
  let critAt: number;
  let threshold: number;
  switch (rule.kind) {
    case 'drop':
      deviation = baseline - ewma;
      warnAt = rule.warning;
      critAt = rule.critical;
      threshold = baseline - rule.warning;
      break;
    case 'rise':
      deviation = ewma - baseline;
      warnAt = rule.warning;
      critAt = rule.critical;
      threshold = baseline + rule.warning;
      break;
    case 'ratio':
      deviation = ewma;
      warnAt = rule.warning * baseline;
      critAt = rule.critical * baseline;
      threshold = warnAt;
      if (baseline <= 0) return { severity: null, value: ewma, baseline, threshold };
      break;
    case 'level':
      deviation = ewma;
      warnAt = rule.warning;
      critAt = rule.critical;
      threshold = rule.warning;
      break;
    case 'interval_drop':
      threshold = baseline - rule.warning;
      if (upperBound === undefined || upperBound === null || !Number.isFinite(upperBound)) {
        return { severity: null, value: ewma, baseline, threshold };
      }
      deviation = baseline - upperBound;
      warnAt = rule.warning;
      critAt = rule.critical;
      ewma = upperBound;
      break;
  }
  const tol = EPSILON * Math.max(1, Math.abs(critAt), Math.abs(warnAt));
  const severity =
    deviation >= critAt - tol ? 'critical' : deviation >= warnAt - tol ? 'warning' : null;
  return { severity, value: ewma, baseline, threshold };
}

/** Least-squares slope of the latest closed days with a one-sided t-test at α = 0.001. */
export function evaluateTrend(
  rule: TrendRule,
  days: readonly { start: number; value: number }[],
): Evaluation | null {
  const recent = days.slice(-rule.window_days);
  if (recent.length < rule.min_days) return null;
  const fit = linearFit(
    recent.map((d) => (d.start - recent[0].start) / DAY_MS),
    recent.map((d) => d.value),
  );
  if (!fit || Math.abs(fit.mean) < EPSILON) return null;
  const sign = rule.direction === 'down' ? -1 : 1;
  const weeklyChange = (sign * fit.slope * 7) / Math.abs(fit.mean);
  const significant = sign * fit.t >= tCritical001(fit.df);
  const fires = significant && weeklyChange >= rule.min_weekly_change - EPSILON;
  return {
    severity: fires ? rule.severity : null,
    value: weeklyChange,
    baseline: fit.mean,
    threshold: rule.min_weekly_change,
  };
}

/**
 * The detector: rules per project (resolved once and cached) over a caller-owned, JSON-plain
 * DetectorState. `apply` mutates the state it is given; it does no I/O and reads no clock.
 */
export class DetectorEngine {
  private readonly rulesCache = new Map<string, EffectiveRules>();

  constructor(private readonly options: DetectorEngineOptions = {}) {}

  rulesFor(projectId: string): EffectiveRules {
    let rules = this.rulesCache.get(projectId);
    if (!rules) {
      rules = resolveRules(this.options.settings, this.options.rules, projectId);
      this.rulesCache.set(projectId, rules);
    }
    return rules;
  }

  /**
   * Applies one window of one series. Idempotent per (series, window_start, revision): the same
   * or a lower revision of the latest window is a `duplicate`; a higher one restores the state
   * from before that window and re-applies (alerts already published are not retracted; the
   * recomputed point walks the normal resolve path); windows older than the latest are `stale`.
   */
  apply(state: DetectorState, point: DetectorPoint): ApplyResult {
    const key = seriesKey(point.projectId, point.slice);
    const series = (state.series[key] ??= emptySeries(point));
    const last = series.last;
    let outcome: ApplyOutcome = 'applied';
    let previousTraces: number | null = null;
    let previousFlagged: number | null = null;
    let previousMix: Record<string, Record<string, number>> | undefined;
    if (last) {
      if (point.windowStart < last.windowStart)
        return { outcome: 'stale', alerts: [], statuses: [] };
      if (point.windowStart === last.windowStart) {
        if (point.revision <= last.revision)
          return { outcome: 'duplicate', alerts: [], statuses: [] };
        outcome = 'replaced';
        series.charts = last.before.charts;
        series.fast = last.before.fast;
        for (const [k, t] of Object.entries(series.tracks)) t.calm = last.before.calm[k] ?? 0;
        previousTraces = last.traceCount;
        previousFlagged = last.flaggedCount;
        previousMix = last.mix;
        last.before = snapshot(series);
      }
    }
    const before = outcome === 'replaced' ? last!.before : snapshot(series);

    const rules = this.rulesFor(point.projectId);
    const alerts: Alert[] = [];
    const statuses: PointStatus[] = [];
    const ctx: StepContext = { point, series, rules, alerts, statuses };

    this.applyCharts(ctx);
    this.applyFastPage(ctx);
    this.applyMix(state, ctx, previousTraces, previousFlagged, previousMix);

    series.last = {
      windowStart: point.windowStart,
      revision: point.revision,
      traceCount: point.traceCount,
      flaggedCount: point.flaggedCount ?? null,
      ...(point.mix && this.options.mixSource === 'overall' ? { mix: copyMix(point.mix) } : {}),
      before,
    };
    return { outcome, alerts, statuses };
  }

  /**
   * Restarts warm-up for matching charts from window_start ≥ `from` (the next window when `from`
   * is now). Charts warm up again from their next window; alerts firing on them resolve then.
   * Returns how many series were marked. Series not in `state` need nothing: they warm up anyway.
   */
  resetBaseline(state: DetectorState, reset: BaselineReset): number {
    let marked = 0;
    for (const series of Object.values(state.series)) {
      if (reset.projectId !== undefined && series.projectId !== reset.projectId) continue;
      if (
        reset.slice &&
        (series.slice.dimension !== reset.slice.dimension ||
          series.slice.value !== reset.slice.value)
      )
        continue;
      const metrics = reset.metric ? [reset.metric] : Object.keys(series.charts);
      for (const m of metrics) series.resets[m] = reset.from;
      marked++;
    }
    return marked;
  }

  private applyCharts(ctx: StepContext): void {
    const { point, series, rules } = ctx;
    const settings = rules.settings;
    const enoughFor = (metric: ChartMetric) => {
      const samples = point.sampleCounts?.[metric] ?? point.traceCount;
      return samples === null || samples >= settings.minSamples;
    };
    const weight = point.traceCount ?? 1;
    const chartRules = new Map(rules.charts.map((r) => [r.metric, r]));
    const trendRules = new Map(rules.trends.map((r) => [r.metric, r]));
    const metrics = new Set<ChartMetric>([
      ...chartRules.keys(),
      ...trendRules.keys(),
      ...(rules.fastPage.enabled ? [rules.fastPage.metric] : []),
    ]);
    for (const metric of metrics) {
      const raw = point.values[metric];
      const value = typeof raw === 'number' && Number.isFinite(raw) ? raw : null;
      let core = series.charts[metric];
      if (!core) {
        if (value === null) continue;
        core = series.charts[metric] = emptyCore();
      }
      const resetFrom = series.resets[metric];
      if (resetFrom !== undefined && point.windowStart >= resetFrom) {
        series.charts[metric] = core = emptyCore();
        delete series.resets[metric];
        for (const kind of ['chart', 'fast_page', 'trend'] as const) {
          this.resolveNow(ctx, kind, metric, 'baseline reset');
        }
      }
      const trend = trendRules.get(metric);
      if (trend) this.closeDays(ctx, core, trend, metric, false);
      if (value === null || !enoughFor(metric)) continue;

      if (core.baseline === null) {
        core.warmCount++;
        core.warmSum += value;
        if (core.warmCount >= settings.warmupWindows) {
          core.baseline = core.warmSum / core.warmCount;
          core.ewma = core.baseline;
        }
      } else {
        core.ewma = ewmaStep(core.ewma ?? core.baseline, value, settings.lambda);
      }
      const rule = chartRules.get(metric);
      if (rule && core.baseline !== null && core.ewma !== null) {
        const interval = point.intervals?.[metric];
        const evaluation = evaluateChartRule(rule, core.ewma, core.baseline, interval?.high);
        this.step(
          ctx,
          'chart',
          metric,
          point.slice,
          evaluation,
          rule.kind === 'interval_drop'
            ? {
                message: `chart ${metric} on ${sliceText(point.slice)}: 95% interval [${fmt(interval?.low ?? null)}, ${fmt(interval?.high ?? null)}] (window ${fmt(value)}) vs baseline ${fmt(core.baseline)} (upper bound threshold ${fmt(evaluation.threshold)})`,
              }
            : {},
        );
      }

      if (trend) {
        const dayStart = Math.floor(point.windowStart / DAY_MS) * DAY_MS;
        core.day ??= { start: dayStart, sum: 0, weight: 0 };
        core.day.sum += value * weight;
        core.day.weight += weight;
        if (point.windowEnd >= dayStart + DAY_MS) this.closeDays(ctx, core, trend, metric, true);
      }
    }
  }

  /** Closes the open day when the point is past it (or `force`), then runs the trend test. */
  private closeDays(
    ctx: StepContext,
    core: ChartCore,
    rule: TrendRule,
    metric: ChartMetric,
    force: boolean,
  ): void {
    const day = core.day;
    if (!day) return;
    if (!force && ctx.point.windowStart < day.start + DAY_MS) return;
    core.day = null;
    if (day.weight <= 0) return;
    core.days.push({ start: day.start, value: day.sum / day.weight });
    if (core.days.length > MAX_DAYS) core.days.splice(0, core.days.length - MAX_DAYS);
    const evaluation = evaluateTrend(rule, core.days);
    if (evaluation) this.step(ctx, 'trend', metric, ctx.point.slice, evaluation);
  }

  private applyFastPage(ctx: StepContext): void {
    const { point, series, rules } = ctx;
    const rule = rules.fastPage;
    if (!rule.enabled) return;
    const raw = point.values[rule.metric];
    if (typeof raw !== 'number' || !Number.isFinite(raw)) return;
    const weight = point.traceCount ?? 1;
    if (weight > 0) {
      series.fast.push({
        end: point.windowEnd,
        weight,
        sum: raw * weight,
        counted: point.traceCount !== null,
      });
    }
    const cutoff = point.windowEnd - rule.window_minutes * 60_000;
    series.fast = series.fast.filter((e) => e.end > cutoff);
    const minSamples = rules.settings.minSamples;
    const enough = point.traceCount === null || point.traceCount >= minSamples;
    const baseline = series.charts[rule.metric]?.baseline ?? null;
    if (!enough || baseline === null) return;
    let sum = 0;
    let w = 0;
    let counted = 0;
    for (const e of series.fast) {
      sum += e.sum;
      w += e.weight;
      if (e.counted) counted += e.weight;
    }
    if (w <= 0 || (counted > 0 && counted < minSamples)) return;
    const pooled = sum / w;
    const fires = baseline - pooled >= rule.drop - EPSILON;
    this.step(ctx, 'fast_page', rule.metric, point.slice, {
      severity: fires ? rule.severity : null,
      value: pooled,
      baseline,
      threshold: baseline - rule.drop,
    });
  }

  private applyMix(
    state: DetectorState,
    ctx: StepContext,
    previousTraces: number | null,
    previousFlagged: number | null,
    previousMix: Record<string, Record<string, number>> | undefined,
  ): void {
    const { point, rules } = ctx;
    if (point.traceCount === null) return;
    const hour = Math.floor(point.windowStart / HOUR_MS) * HOUR_MS;
    const dimension = point.slice.dimension;
    const fromOverall = this.options.mixSource === 'overall';
    if (dimension === 'all') {
      if (fromOverall && point.mix) {
        for (const d of rules.drift.enabled ? rules.drift.dimensions : []) {
          const counts = point.mix[d];
          if (!counts) continue;
          const before = previousMix?.[d] ?? {};
          const delta: Record<string, number> = {};
          for (const v of new Set([...Object.keys(counts), ...Object.keys(before)])) {
            delta[v] = (counts[v] ?? 0) - (before[v] ?? 0);
          }
          this.feedDrift(state, ctx, d, hour, delta);
        }
      }
      const rule = rules.adversarial;
      if (!rule.enabled || point.flaggedCount === undefined || point.flaggedCount === null) return;
      const project = (state.projects[point.projectId] ??= emptyProject());
      if (project.flaggedOpenHour !== null && hour > project.flaggedOpenHour) {
        this.scoreAdversarial(ctx, project, project.flaggedOpenHour);
      }
      if (project.flaggedOpenHour === null || hour > project.flaggedOpenHour) {
        project.flaggedOpenHour = hour;
        pruneHours(project.flagged, hour - 12 * WEEK_MS - DAY_MS);
      }
      const bucket = (project.flagged[hour] ??= { traces: 0, flagged: 0 });
      bucket.traces += point.traceCount - (previousTraces ?? 0);
      bucket.flagged += point.flaggedCount - (previousFlagged ?? 0);
      return;
    }
    const rule = rules.drift;
    if (fromOverall || !rule.enabled || !rule.dimensions.includes(dimension)) return;
    this.feedDrift(state, ctx, dimension, hour, {
      [point.slice.value]: point.traceCount - (previousTraces ?? 0),
    });
  }

  /** Adds traces per value of one dimension to the hour; a later hour scores the open one. */
  private feedDrift(
    state: DetectorState,
    ctx: StepContext,
    dimension: SliceDimension,
    hour: number,
    delta: Readonly<Record<string, number>>,
  ): void {
    const rule = ctx.rules.drift;
    const project = (state.projects[ctx.point.projectId] ??= emptyProject());
    const mix = (project.mix[dimension] ??= {});
    const open = project.openHour[dimension];
    if (open !== undefined && hour > open) this.scoreDrift(ctx, project, dimension, open);
    if (open === undefined || hour > open) {
      project.openHour[dimension] = hour;
      pruneHours(mix, hour - rule.history_weeks * WEEK_MS - DAY_MS);
    }
    const counts = (mix[hour] ??= {});
    for (const [value, n] of Object.entries(delta)) counts[value] = (counts[value] ?? 0) + n;
  }

  /** Baseline counts: the same hour of the week in past weeks, else the trailing day. */
  private mixBaseline<T>(
    byHour: Record<string, T>,
    hour: number,
    weeks: number,
    total: (t: T) => number,
    minTraces: number,
  ): { hours: T[]; source: 'same hour of week' | 'trailing day' } | null {
    const weekly: T[] = [];
    for (let k = 1; k <= weeks; k++) {
      const h = byHour[hour - k * WEEK_MS];
      if (h !== undefined && total(h) >= minTraces) weekly.push(h);
    }
    if (weekly.length > 0) return { hours: weekly, source: 'same hour of week' };
    const daily: T[] = [];
    for (let k = 1; k <= 24; k++) {
      const h = byHour[hour - k * HOUR_MS];
      if (h !== undefined) daily.push(h);
    }
    if (daily.reduce((a, h) => a + total(h), 0) < minTraces) return null;
    return { hours: daily, source: 'trailing day' };
  }

  private scoreDrift(
    ctx: StepContext,
    project: ProjectMixState,
    dimension: SliceDimension,
    hour: number,
  ): void {
    const rule = ctx.rules.drift;
    ctx.projectTracks = project.tracks;
    const mix = project.mix[dimension] ?? {};
    const current = mix[hour] ?? {};
    const sumOf = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
    if (sumOf(current) < rule.min_traces) return;
    const base = this.mixBaseline(mix, hour, rule.history_weeks, sumOf, rule.min_traces);
    if (!base) return;
    const pooled: Record<string, number> = {};
    for (const h of base.hours)
      for (const [v, n] of Object.entries(h)) pooled[v] = (pooled[v] ?? 0) + n;
    const expected = shares(pooled);
    const actual = shares(current);
    const score = psi(expected, actual);
    const js = jensenShannon(expected, actual);
    const movers = [...new Set([...Object.keys(expected), ...Object.keys(actual)])]
      .map((v) => ({ v, from: expected[v] ?? 0, to: actual[v] ?? 0 }))
      .sort((a, b) => Math.abs(b.to - b.from) - Math.abs(a.to - a.from) || a.v.localeCompare(b.v))
      .slice(0, 3);
    const severity: AlertSeverity | null =
      score >= rule.psi_warning - EPSILON
        ? rule.warning_severity
        : score >= rule.psi_info - EPSILON
          ? 'info'
          : null;
    const moved = movers
      .map((m) => `${m.v} ${(m.from * 100).toFixed(1)}%→${(m.to * 100).toFixed(1)}%`)
      .join(', ');
    this.step(
      ctx,
      'drift',
      'traffic_share',
      { dimension, value: movers[0]?.v ?? 'unknown' },
      {
        severity,
        value: score,
        baseline: null,
        threshold: severity === 'info' ? rule.psi_info : rule.psi_warning,
      },
      {
        trackKey: `drift:${dimension}`,
        fingerprintSlice: dimension,
        window: [hour, hour + HOUR_MS],
        message: `traffic mix by ${dimension} shifted (PSI ${fmt(score)}, JS ${fmt(js)} vs ${base.source}): ${moved}`,
      },
    );
  }

  private scoreAdversarial(ctx: StepContext, project: ProjectMixState, hour: number): void {
    const rule = ctx.rules.adversarial;
    ctx.projectTracks = project.tracks;
    const current = project.flagged[hour];
    if (!current || current.traces < rule.min_traces) return;
    const base = this.mixBaseline(project.flagged, hour, 4, (h) => h.traces, rule.min_traces);
    if (!base) return;
    const traces = base.hours.reduce((a, h) => a + h.traces, 0);
    const flagged = base.hours.reduce((a, h) => a + h.flagged, 0);
    const baseline = flagged / traces;
    const share = current.flagged / current.traces;
    const fires =
      share - baseline >= rule.rise - EPSILON && share >= rule.ratio * baseline - EPSILON;
    this.step(
      ctx,
      'adversarial',
      'llm_refusal_rate',
      OVERALL_SLICE,
      {
        severity: fires ? rule.severity : null,
        value: share,
        baseline,
        threshold: Math.max(baseline + rule.rise, rule.ratio * baseline),
      },
      {
        window: [hour, hour + HOUR_MS],
        message: `share of refused or safety-flagged traces ${(share * 100).toFixed(1)}% vs ${(baseline * 100).toFixed(1)}% (${base.source}): possible adversarial traffic`,
      },
    );
  }

  /** Feeds one evaluation into its alert track; records the status and any state change. */
  private step(
    ctx: StepContext,
    detector: DetectorKind,
    metric: MetricName,
    slice: Slice,
    evaluation: Evaluation,
    extra: {
      trackKey?: string;
      fingerprintSlice?: string;
      window?: [number, number];
      message?: string;
    } = {},
  ): void {
    const { point, series, rules } = ctx;
    if (evaluation.severity) {
      ctx.statuses.push({
        detector,
        metric,
        slice,
        severity: evaluation.severity,
        value: evaluation.value,
        baseline: evaluation.baseline,
        threshold: evaluation.threshold,
      });
    }
    const trackKey = extra.trackKey ?? `${detector}:${metric}`;
    const store = ctx.projectTracks ?? series.tracks;
    const track = (store[trackKey] ??= { severity: null, calm: 0 });
    const change = stepTrack(track, evaluation.severity, rules.settings.resolveWindows);
    if (!change) return;
    const fingerprint = alertFingerprint(
      detector,
      point.projectId,
      metric,
      extra.fingerprintSlice ?? slice,
    );
    const [windowStart, windowEnd] = extra.window ?? [point.windowStart, point.windowEnd];
    const what =
      extra.message ??
      `${detector.replace('_', ' ')} ${metric} on ${sliceText(slice)}: ${fmt(evaluation.value)} vs baseline ${fmt(evaluation.baseline)} (threshold ${fmt(evaluation.threshold)})`;
    ctx.alerts.push({
      alert_id: alertId(fingerprint, point.windowStart, change.state, change.severity),
      fingerprint,
      project_id: point.projectId,
      state: change.state,
      severity: change.severity,
      metric,
      slice,
      message: (change.state === 'resolved' ? `resolved: ${what}` : what).slice(0, 2048),
      current_value: evaluation.value,
      baseline: evaluation.baseline,
      threshold: evaluation.threshold,
      time: point.windowEnd,
      window_start: windowStart,
      window_end: windowEnd,
    });
  }

  /** Resolves a firing series alert at once (baseline reset). */
  private resolveNow(ctx: StepContext, detector: DetectorKind, metric: ChartMetric, why: string) {
    const track = ctx.series.tracks[`${detector}:${metric}`];
    if (!track?.severity) return;
    const severity = track.severity;
    track.severity = null;
    track.calm = 0;
    const fingerprint = alertFingerprint(detector, ctx.point.projectId, metric, ctx.point.slice);
    ctx.alerts.push({
      alert_id: alertId(fingerprint, ctx.point.windowStart, 'resolved', severity),
      fingerprint,
      project_id: ctx.point.projectId,
      state: 'resolved',
      severity,
      metric,
      slice: ctx.point.slice,
      message: `resolved: ${detector.replace('_', ' ')} ${metric} on ${sliceText(ctx.point.slice)}: ${why}`,
      current_value: 0,
      baseline: null,
      threshold: 0,
      time: ctx.point.windowEnd,
      window_start: ctx.point.windowStart,
      window_end: ctx.point.windowEnd,
    });
  }
}

interface StepContext {
  point: DetectorPoint;
  series: SeriesState;
  rules: EffectiveRules;
  alerts: Alert[];
  statuses: PointStatus[];
  projectTracks?: Record<string, AlertTrack>;
}

function copyMix(
  mix: Readonly<Record<string, Readonly<Record<string, number>>>>,
): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [d, counts] of Object.entries(mix)) out[d] = { ...counts };
  return out;
}

function pruneHours(byHour: Record<string, unknown>, before: number): void {
  for (const k of Object.keys(byHour)) if (Number(k) < before) delete byHour[k];
}

/**
 * One evaluated window for an alert condition. Escalation fires at once; resolving or
 * de-escalating needs `resolveWindows` consecutive calmer windows (then it goes to the severity
 * of the latest window: resolved when that is inside the warning limit).
 */
export function stepTrack(
  track: AlertTrack,
  severity: AlertSeverity | null,
  resolveWindows: number,
): { state: 'firing' | 'resolved'; severity: AlertSeverity } | null {
  if (severityRank(severity) > severityRank(track.severity)) {
    track.severity = severity;
    track.calm = 0;
    return { state: 'firing', severity: severity! };
  }
  if (track.severity === null) return null;
  if (severity === track.severity) {
    track.calm = 0;
    return null;
  }
  track.calm++;
  if (track.calm < resolveWindows) return null;
  const previous = track.severity;
  track.severity = severity;
  track.calm = 0;
  return severity === null
    ? { state: 'resolved', severity: previous }
    : { state: 'firing', severity };
}

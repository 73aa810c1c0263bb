import {
  AnalyticsQueries,
  ConsoleQueries,
  resolveTimeRange,
  TimeArgumentError,
  type AlertTimeline,
  type OpenAlert,
  type OverallPoint,
  type PeriodSummary,
  type ReviewCandidate,
  type PeriodMetrics,
  type SliceMetrics,
  type SliceRef,
  type TimeRange,
  type TraceDetail,
  type TraceListItem,
} from '@agentmon/analytics-queries';
import { APP_CONFIG } from '@agentmon/config';
import {
  ChartMetricSchema,
  formatZodIssues,
  SilenceSchema,
  type ChartMetric,
  type ChartQuery,
  type ChartRule,
  type ExportQuery,
  type ReviewVerdict,
  type Silence,
  type TraceSearchQuery,
} from '@agentmon/contracts';
import {
  DETECTOR_SERIES_KEY_PREFIX,
  DetectorEngine,
  OVERALL_SLICE,
  pointFromMetricWindow,
  replayChart,
  seriesKey,
  type ChartReplayPoint,
} from '@agentmon/detector-domain';
import { silencesKey } from '@agentmon/notifier-domain';
import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import Redis from 'ioredis';
import type { z } from 'zod';
import type { ConsoleAccess } from './auth/console-token-registry';
import type { ConsoleConfig } from './console.config';
import { TtlCache } from './ttl-cache';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
const REVIEW_PICK_TTL_MS = 10 * 60_000;
const MAX_CACHED_PICKS = 1000;

export interface OverviewData {
  project: string;
  now: TimeRange;
  baseline: TimeRange;
  current: PeriodMetrics;
  previous: PeriodMetrics;
  series: OverallPoint[];
  open_alerts: OpenAlert[];
}

export interface ChartData {
  project: string;
  metric: ChartMetric;
  slice: SliceRef;
  range: TimeRange;
  rule: ChartRule | null;
  points: ChartReplayPoint[];
  /** Stored alert state changes of this metric and slice, placed on the window that raised them. */
  alerts: { at: number; window_start: number; state: string; severity: string; value: number }[];
  resets: { at: number; window_start: number; by: string; reason: string }[];
  /** The detector's own stored state of this chart now (Redis), or null when it holds none. */
  detector_now: { baseline: number | null; ewma: number | null } | null;
  slices: SliceRef[];
}

export interface SlicesData {
  project: string;
  range: TimeRange;
  overall: PeriodMetrics;
  slices: SliceMetrics[];
}

export interface AlertsData {
  project: string;
  range: TimeRange;
  timeline: AlertTimeline;
  open_alerts: OpenAlert[];
  silences: (Silence & { active: boolean; scope: 'project' | 'every project' })[];
}

export interface ReviewItem {
  trace_id: string;
  task_type: string;
  outcome: 'failure' | 'success';
  verdict: ReviewVerdict | null;
  reviewer: string;
  note: string;
}

export interface ReviewData {
  project: string;
  week: TimeRange;
  items: ReviewItem[];
}

/** A schema's parse of a query string, or 400 naming the parameter. */
export function parseQuery<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  // An empty form field means "not set" (the filter forms submit every field).
  const given =
    input !== null && typeof input === 'object'
      ? Object.fromEntries(Object.entries(input).filter(([, v]) => v !== ''))
      : {};
  const parsed = schema.safeParse(given);
  if (parsed.success) return parsed.data;
  const issues = formatZodIssues(parsed.error);
  throw new BadRequestException({
    error: 'bad_request',
    message: issues.map((i) => `${i.path || '(query)'}: ${i.message}`).join('; '),
  });
}

/** `all` or `<dimension>=<value>` → a slice (400 otherwise). */
export function parseSlice(text: string): SliceRef {
  if (text === 'all') return OVERALL_SLICE;
  const eq = text.indexOf('=');
  if (eq <= 0 || eq === text.length - 1) {
    throw new BadRequestException({
      error: 'bad_request',
      message: 'slice: must be "all" or "<dimension>=<value>"',
    });
  }
  return { dimension: text.slice(0, eq), value: text.slice(eq + 1) };
}

/**
 * Every number the console shows, for pages and the JSON API alike. Each read is for one project
 * the caller's token may read (404 for any other, so a token cannot even learn that another
 * project exists); metrics come from stored windows and rollups through the shared read layer.
 */
@Injectable()
export class ConsoleDataService {
  private readonly baseMs: number;
  private readonly picks = new Map<string, { pick: ReviewCandidate[]; until: number }>();
  /** Period summaries and charts, for one aggregator window at most (see TtlCache). */
  private readonly summaries: TtlCache<PeriodSummary>;
  private readonly charts: TtlCache<ChartData>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ConsoleConfig,
    @Inject(AnalyticsQueries) private readonly analytics: AnalyticsQueries,
    @Inject(ConsoleQueries) private readonly queries: ConsoleQueries,
    @Inject(DetectorEngine) private readonly engine: DetectorEngine,
    @Inject(Redis) private readonly redis: Redis,
  ) {
    this.baseMs = config.AGGREGATOR_WINDOW_MS;
    const ttl = Math.min(config.AGGREGATOR_WINDOW_MS, config.CONSOLE_CACHE_TTL_MS);
    this.summaries = new TtlCache(ttl, 500);
    this.charts = new TtlCache(ttl, 200);
  }

  private summary(project: string, range: TimeRange, overallOnly: boolean): Promise<PeriodSummary> {
    return this.summaries.get(
      `${project}\u0000${range.from}\u0000${range.to}\u0000${overallOnly}`,
      () => this.analytics.periodSummary({ project }, range, { overallOnly }),
    );
  }

  /** The project a request reads: the one asked for if the token may read it, else 404. */
  project(access: ConsoleAccess, requested: string | undefined): string {
    const project = requested ?? access.projects[0];
    if (project === undefined || !access.projects.includes(project)) {
      throw new NotFoundException({ error: 'not_found', message: 'unknown project' });
    }
    return project;
  }

  range(query: { since?: string; until?: string }, defaultSince: string, align = 1): TimeRange {
    try {
      return resolveTimeRange(query, Date.now(), { since: defaultSince, alignMs: align });
    } catch (error) {
      if (error instanceof TimeArgumentError) {
        throw new BadRequestException({ error: 'bad_request', message: error.message });
      }
      throw error;
    }
  }

  /** Key metrics of the hour up to `until` (default now) against the 24 whole hours before. */
  async overview(project: string, query: { until?: string } = {}): Promise<OverviewData> {
    const now =
      query.until === undefined
        ? Date.now()
        : this.range({ since: '1h', until: query.until }, '1h').to;
    const to = Math.ceil(now / this.baseMs) * this.baseMs;
    const current = { from: Math.floor((now - HOUR_MS) / this.baseMs) * this.baseMs, to };
    // The 24 whole hours before: hourly rollups only, the same for an hour (and cached).
    const baselineTo = Math.floor(current.from / HOUR_MS) * HOUR_MS;
    const baseline = { from: baselineTo - DAY_MS, to: baselineTo };
    const scope = { project };
    const [cur, prev, series, alerts] = await Promise.all([
      this.summary(project, current, true),
      this.summary(project, baseline, true),
      this.queries.overallSeries(project, {
        from: Math.max(to - 120 * this.baseMs, to - DAY_MS),
        to,
      }),
      this.analytics.openAlerts(scope, 20),
    ]);
    return {
      project,
      now: current,
      baseline,
      current: cur.overall,
      previous: prev.overall,
      series,
      open_alerts: alerts,
    };
  }

  async chart(project: string, query: ChartQuery): Promise<ChartData> {
    const metric = ChartMetricSchema.parse(query.metric);
    const slice = parseSlice(query.slice);
    const range = this.range(query, '6h', this.baseMs);
    return this.charts.get(
      [project, metric, slice.dimension, slice.value, range.from, range.to].join('\u0000'),
      () => this.computeChart(project, metric, slice, range),
    );
  }

  private async computeChart(
    project: string,
    metric: ChartMetric,
    slice: SliceRef,
    range: TimeRange,
  ): Promise<ChartData> {
    const windows = Math.ceil((range.to - range.from) / this.baseMs);
    if (windows > this.config.CONSOLE_CHART_MAX_WINDOWS) {
      throw new BadRequestException({
        error: 'bad_request',
        message: `since: ${windows} windows is more than CONSOLE_CHART_MAX_WINDOWS (${this.config.CONSOLE_CHART_MAX_WINDOWS}); pick a shorter range`,
      });
    }
    // Windows before the range warm the chart up as they warmed the detector up.
    const lookbackFrom = range.from - this.config.CONSOLE_CHART_LOOKBACK_WINDOWS * this.baseMs;
    const replayRange = { from: lookbackFrom, to: range.to };
    const [stored, timeline, detectorNow, slices] = await Promise.all([
      this.queries.seriesWindows(
        project,
        slice,
        replayRange,
        windows + this.config.CONSOLE_CHART_LOOKBACK_WINDOWS,
      ),
      this.queries.alertTimeline(project, replayRange, { limit: 1000, metric, slice }),
      this.detectorState(project, slice, metric),
      this.queries.sliceValues(project, range, 20),
    ]);
    const resets = timeline.resets.map((r) => ({
      from: r.requested_at,
      projectId: project,
      metric: r.metric === '' ? undefined : (r.metric as ChartMetric),
      slice:
        r.slice_dimension === ''
          ? undefined
          : ({ dimension: r.slice_dimension, value: r.slice_value } as typeof OVERALL_SLICE),
    }));
    const replay = replayChart(this.engine, stored.map(pointFromMetricWindow), metric, resets);
    const points = replay.points.filter((p) => p.windowStart >= range.from);
    const windowOf = (at: number) => {
      // The window an event belongs to: the last one starting before it (alerts carry the end
      // of the window that raised them).
      let found = points[0]?.windowStart ?? at;
      for (const p of points) if (p.windowStart < at) found = p.windowStart;
      return found;
    };
    return {
      project,
      metric,
      slice,
      range,
      rule: replay.rule,
      points,
      alerts: timeline.changes
        .filter((c) => c.occurred_at >= range.from)
        .map((c) => ({
          at: c.occurred_at,
          window_start: windowOf(c.occurred_at),
          state: c.state,
          severity: c.severity,
          value: c.current_value,
        })),
      resets: timeline.resets
        .filter((r) => r.requested_at >= range.from)
        .map((r) => ({
          at: r.requested_at,
          window_start: windowOf(r.requested_at + 1),
          by: r.requested_by,
          reason: r.reason,
        })),
      detector_now: detectorNow,
      slices,
    };
  }

  /** The chart state the live detector keeps in Redis for this series (read only). */
  private async detectorState(
    project: string,
    slice: SliceRef,
    metric: ChartMetric,
  ): Promise<{ baseline: number | null; ewma: number | null } | null> {
    const text = await this.redis.get(
      DETECTOR_SERIES_KEY_PREFIX + seriesKey(project, slice as typeof OVERALL_SLICE),
    );
    if (text === null) return null;
    try {
      const stored = JSON.parse(text) as {
        series?: { charts?: Record<string, { baseline: number | null; ewma: number | null }> };
      };
      const core = stored.series?.charts?.[metric];
      return core ? { baseline: core.baseline, ewma: core.ewma } : null;
    } catch {
      return null;
    }
  }

  async slices(project: string, query: { since?: string; until?: string }): Promise<SlicesData> {
    let range = this.range(query, '24h', this.baseMs);
    // By default the last 24 whole hours, the running one so far: 24 hourly rollups (the
    // aggregator re-rolls the running hour at every merge), no minute windows to re-merge.
    if (query.since === undefined) {
      const to = Math.ceil(range.to / HOUR_MS) * HOUR_MS;
      range = { from: to - DAY_MS, to };
    }
    const summary = await this.summary(project, range, false);
    return { project, range, overall: summary.overall, slices: summary.slices };
  }

  async alerts(project: string, query: { since?: string; until?: string }): Promise<AlertsData> {
    const range = this.range(query, '24h');
    const [timeline, open, silences] = await Promise.all([
      this.queries.alertTimeline(project, range, { limit: 500 }),
      this.analytics.openAlerts({ project }, 50),
      this.silences(project),
    ]);
    return { project, range, timeline, open_alerts: open, silences };
  }

  /** Silences the notifier applies to this project (its own and those of every project). */
  private async silences(project: string): Promise<AlertsData['silences']> {
    const entries = await this.redis.hgetall(silencesKey(this.config.NOTIFIER_REDIS_PREFIX));
    const now = Date.now();
    const out: AlertsData['silences'] = [];
    for (const text of Object.values(entries)) {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        continue;
      }
      const parsed = SilenceSchema.safeParse(json);
      if (!parsed.success) continue;
      const silence = parsed.data;
      const scoped = silence.matchers.project_id;
      if (scoped !== undefined && scoped !== project) continue;
      out.push({
        ...silence,
        active: Date.parse(silence.starts_at) <= now && now < Date.parse(silence.ends_at),
        scope: scoped === undefined ? 'every project' : 'project',
      });
    }
    return out.sort((a, b) => b.starts_at.localeCompare(a.starts_at));
  }

  async traces(
    project: string,
    query: TraceSearchQuery,
  ): Promise<{ range: TimeRange; traces: TraceListItem[] }> {
    // The last hour by default: a day of summaries is a million rows to sort (widen with since).
    const range = this.range(query, '1h');
    const traces = await this.queries.searchTraces({
      project,
      from: range.from,
      to: range.to,
      taskType: query.task_type || undefined,
      outcome: query.outcome,
      errorType: query.error_type,
      userId: query.user_id || undefined,
      limit: query.limit,
    });
    return { range, traces };
  }

  async trace(project: string, traceId: string): Promise<TraceDetail> {
    const detail = await this.analytics.traceDetail({ project }, traceId);
    if (detail === null || detail.summary.project_id !== project) {
      throw new NotFoundException({ error: 'not_found', message: 'unknown trace' });
    }
    return detail;
  }

  /** The week under review: the 7 days up to the next whole hour (stable within an hour). */
  reviewWeek(now = Date.now()): TimeRange {
    const to = Math.ceil(now / HOUR_MS) * HOUR_MS;
    return { from: to - WEEK_MS, to };
  }

  async review(project: string): Promise<ReviewData> {
    const week = this.reviewWeek();
    const picked = await this.reviewPick(project, week);
    const verdicts = await this.queries.verdicts(
      project,
      picked.map((p) => p.trace_id),
    );
    return {
      project,
      week,
      items: picked.map((p) => {
        const v = verdicts.get(p.trace_id);
        return {
          trace_id: p.trace_id,
          task_type: p.task_type,
          outcome: p.outcome,
          verdict: v?.verdict ?? null,
          reviewer: v?.reviewer ?? '',
          note: v?.note ?? '',
        };
      }),
    };
  }

  async verdictOf(
    project: string,
    traceId: string,
  ): Promise<{ verdict: ReviewVerdict; reviewer: string } | undefined> {
    return (await this.queries.verdicts(project, [traceId])).get(traceId);
  }

  /**
   * The week's pick, kept for REVIEW_PICK_TTL_MS per project and week: reviewers work through a
   * list that must not reshuffle under them as new traces arrive, and the pick sorts a week of
   * summaries. Verdicts are never cached.
   */
  private async reviewPick(project: string, week: TimeRange): Promise<ReviewCandidate[]> {
    const key = `${project}\u0000${week.from}`;
    const now = Date.now();
    const cached = this.picks.get(key);
    if (cached !== undefined && cached.until > now) return cached.pick;
    const pick = await this.analytics.reviewPick(
      { project },
      week,
      this.config.REPORT_REVIEW_TRACES,
    );
    this.picks.delete(key);
    // CONSOLE_CACHE_TTL_MS=0 turns this cache off too.
    const ttl = this.config.CONSOLE_CACHE_TTL_MS === 0 ? 0 : REVIEW_PICK_TTL_MS;
    this.picks.set(key, { pick, until: now + ttl });
    // Bounded: the oldest entries go first (a Map iterates in insertion order).
    for (const k of this.picks.keys()) {
      if (this.picks.size <= MAX_CACHED_PICKS) break;
      this.picks.delete(k);
    }
    return pick;
  }

  async recordVerdict(
    access: ConsoleAccess,
    project: string,
    traceId: string,
    verdict: ReviewVerdict,
    note: string,
  ): Promise<void> {
    if (!(await this.queries.traceExists(project, traceId))) {
      throw new NotFoundException({ error: 'not_found', message: 'unknown trace' });
    }
    const now = Date.now();
    await this.queries.recordVerdict({
      project_id: project,
      trace_id: traceId,
      verdict,
      reviewer: `token:${access.tokenId}`,
      note,
      week_start_ms: this.reviewWeek(now).from,
      decided_at_ms: now,
    });
  }

  /**
   * The eval-candidate export's JSON lines, as `agentmon eval-candidates` writes them (same
   * query, same filters, same order). Read-only: the console does not record the download in
   * eval_exports (the CLI's export is the one that marks traces as exported).
   */
  async *exportLines(
    project: string,
    query: ExportQuery,
    range: TimeRange,
  ): AsyncGenerator<string> {
    const pages = this.analytics.evalCandidatePages(
      {
        project,
        from: range.from,
        to: range.to,
        taskType: query.task_type || undefined,
        limit: query.limit,
        successes: query.successes ?? Math.max(1, Math.round(query.limit / 5)),
        includeExported: query.include_exported,
      },
      this.config.ANALYTICS_EXPORT_PAGE_SIZE,
    );
    for await (const page of pages) {
      if (page.lines.length > 0) yield `${page.lines.join('\n')}\n`;
    }
  }
}

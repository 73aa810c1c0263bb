import type { PartialWindow, SatisfactionWeights } from '@agentmon/aggregator-domain';
import {
  ClickHouseTables,
  type ClickHouseConnection,
  type QueryParams,
} from '@agentmon/clickhouse';
import type { Span, TraceSummary } from '@agentmon/contracts';
import { summarizePartials, type PeriodSummary } from './period-metrics';
import { chooseReviewHashCut, REVIEW_HASH_CUT_LEVELS, reviewHashCut } from './review-hash-cut';
import { pickReviewTraces, type ReviewCandidate } from './review-sample';
import { toSpan, toTraceSummary, type StoredSpanRow, type StoredSummaryRow } from './stored-rows';
import type { TimeRange } from './time-range';
import { coverRange } from './window-cover';

/** Every query takes a project; '' (or undefined) reads every project. */
export interface ProjectScope {
  project?: string;
}

/** DESIGN's failure: not completed, any error, timed out, rated negative or escalated. */
export const FAILURE_CONDITION =
  "(completed = 0 OR error_count > 0 OR timed_out = 1 OR rating = 'negative' OR escalated = 1)";

/** The first error type a failed trace hit, in DESIGN's order (what eval export groups by). */
const PRIMARY_FAILURE = `multiIf(
    errors_tool_failure > 0, 'tool_failure',
    errors_llm_refusal > 0, 'llm_refusal',
    errors_timeout > 0 OR timed_out = 1, 'timeout',
    errors_user_abandonment > 0, 'user_abandonment',
    errors_hallucination_caught > 0, 'hallucination_caught',
    rating = 'negative', 'negative_rating',
    escalated = 1, 'escalated',
    completed = 0, 'not_completed',
    'other')`;

const ERROR_TYPES = `arrayFilter(x -> x != '', [
    if(errors_tool_failure > 0, 'tool_failure', ''),
    if(errors_llm_refusal > 0, 'llm_refusal', ''),
    if(errors_timeout > 0, 'timeout', ''),
    if(errors_user_abandonment > 0, 'user_abandonment', ''),
    if(errors_hallucination_caught > 0, 'hallucination_caught', '')
  ])`;

const PROJECT = "({project:String} = '' OR project_id = {project:String})";

/**
 * Traces whose latest review verdict is "add to eval set" (argMax: an unmerged replaced row
 * never counts), as a (project_id, trace_id) subquery.
 */
const MARKED_FOR_EVAL = `SELECT project_id, trace_id FROM (
      SELECT project_id, trace_id, argMax(verdict, decided_at_ms) AS latest
      FROM {db:Identifier}.review_verdicts
      WHERE ${PROJECT}
      GROUP BY project_id, trace_id)
    WHERE latest = 'add_to_eval_set'`;
const MAX_COVER_SEGMENTS = 5;

export interface RecentFailure {
  trace_id: string;
  project_id: string;
  ended_at: number;
  task_type: string;
  duration_ms: number;
  cost_usd: number;
  completed: boolean;
  rating: string;
  escalated: boolean;
  error_count: number;
  error_types: string[];
}

/** An alert as the alerts table stores it: what every view of an alert shows. */
export interface StoredAlert {
  alert_id: string;
  fingerprint: string;
  occurred_at: number;
  severity: string;
  metric: string;
  slice_dimension: string;
  slice_value: string;
  message: string;
  current_value: number;
  baseline: number;
  threshold: number;
}

/** A stored alert's row (`occurred_at` read from `occurred_at_column`) → StoredAlert. */
export function storedAlertOf(
  row: Record<string, unknown>,
  occurredAtColumn = 'occurred_at',
): StoredAlert {
  return {
    alert_id: String(row.alert_id),
    fingerprint: String(row.fingerprint),
    occurred_at: n(row[occurredAtColumn]),
    severity: String(row.severity),
    metric: String(row.metric),
    slice_dimension: String(row.slice_dimension),
    slice_value: String(row.slice_value),
    message: String(row.message),
    current_value: n(row.current_value),
    baseline: n(row.baseline),
    threshold: n(row.threshold),
  };
}

export interface OpenAlert extends StoredAlert {
  project_id: string;
  /** Latest delivery status of this alert ('' when the notifier recorded none yet). */
  delivery_status: string;
  delivery_attempts: number;
  /** The notifier's latest decision on it ('' before any): sent, cooldown, silenced, grouped… */
  notifier_decision: string;
}

export interface OperationFailures {
  operation: string;
  failed_spans: number;
  traces: number;
}

export interface TraceDetail {
  summary: TraceSummary;
  spans: Span[];
  /** Where the spans came from: the sample, the late-spans buffer, or none kept. */
  spans_source: 'spans' | 'spans_recent' | 'none';
}

export interface EvalCandidateRef {
  project_id: string;
  trace_id: string;
  /** `reviewed`: a reviewer marked it "add to eval set" in the console (exported first). */
  kind: 'reviewed' | 'failure' | 'success';
  /** For a failure: the first error type it hit (or negative_rating, escalated, not_completed). */
  failure_type: string;
}

export interface EvalCandidateQuery extends ProjectScope, TimeRange {
  taskType?: string;
  limit: number;
  /** Successes wanted after the failures (filled further when failures are fewer). */
  successes: number;
  includeExported: boolean;
}

export interface EvalExportRecord {
  project_id: string;
  trace_id: string;
  export_id: string;
  exported_at_ms: number;
  kind: string;
  failure_type: string;
  file: string;
}

const n = (v: unknown) => Number(v);

/**
 * The one read layer over what AgentMon stores in ClickHouse, shared by the `agentmon` CLI and
 * the console. Every query is parameterized (`{name:Type}`), reads ReplacingMergeTree tables
 * with FINAL (a revised trace or window counts once) and runs on 18.16 and current releases.
 * Metrics come from the aggregator's stored windows and rollups, never from the span sample.
 */
export class AnalyticsQueries {
  constructor(
    private readonly connection: ClickHouseConnection,
    private readonly options: {
      /** The aggregator's base window (AGGREGATOR_WINDOW_MS / 1000). */
      baseWindowS: number;
      /** Slice values per dimension kept when periods are merged (AGGREGATOR_MAX_VALUES_PER_DIMENSION). */
      maxValuesPerDimension?: number;
      /** Weights of the implicit satisfaction index (satisfactionWeightsOf(config)). */
      satisfactionWeights?: SatisfactionWeights;
    },
  ) {}

  private query<Row>(sql: string, params: QueryParams): Promise<Row[]> {
    return this.connection.query<Row>(sql, { db: this.connection.database, ...params });
  }

  /**
   * The period's overall and per-slice metrics: the combined partials of the fewest stored
   * windows that tile it (daily and hourly rollups inside, minute windows at the edges),
   * re-merged. `range` must be aligned to the base window (see resolveTimeRange).
   */
  async periodSummary(
    scope: ProjectScope,
    range: TimeRange,
    options: {
      minSliceTraces?: number;
      /** Merge only the overall cells (no slices): what a key-metrics view needs, ~20× cheaper. */
      overallOnly?: boolean;
    } = {},
  ): Promise<PeriodSummary & { windows_without_partial: number }> {
    const segments = coverRange(range, this.options.baseWindowS);
    const params: QueryParams = { project: scope.project ?? '' };
    const clauses: string[] = [];
    for (let i = 0; i < MAX_COVER_SEGMENTS; i += 1) {
      const s = segments[i] ?? { windowSizeS: 0, from: 0, to: 0 };
      params[`s${i}_size`] = s.windowSizeS;
      params[`s${i}_from`] = s.from;
      params[`s${i}_to`] = s.to;
      clauses.push(
        `(window_size_s = {s${i}_size:UInt32} AND window_start_ms >= {s${i}_from:UInt64} AND window_start_ms < {s${i}_to:UInt64})`,
      );
    }
    const starts = segments.map((s) => s.from);
    params.first_s = Math.floor(Math.min(range.from, ...starts) / 1000);
    params.last_s = Math.ceil(Math.max(range.to, ...segments.map((s) => s.to)) / 1000);
    // argMax by revision instead of FINAL: the same row wins (ReplacingMergeTree keeps the
    // highest revision), and the cover's windows are picked in PREWHERE, so partials (≈ 20 KB
    // each) are read only from granules holding a wanted window, not merged for every window.
    const rows = await this.query<{ partial_json: string }>(
      `SELECT argMax(partial_json, revision) AS partial_json
       FROM {db:Identifier}.metric_windows
       PREWHERE slice_dimension = 'all' AND (${clauses.join('\n OR ')})
       WHERE ${PROJECT} AND metric_group = 'traces'
         AND window_start >= toDateTime({first_s:UInt32}) AND window_start < toDateTime({last_s:UInt32})
       GROUP BY project_id, window_start_ms, window_size_s`,
      params,
    );
    const partials: PartialWindow[] = [];
    let missing = 0;
    for (const row of rows) {
      if (row.partial_json === '') missing += 1;
      else {
        const partial = JSON.parse(row.partial_json) as PartialWindow;
        if (options.overallOnly) partial.cells = partial.cells.filter((c) => c.dimension === 'all');
        partials.push(partial);
      }
    }
    return {
      ...summarizePartials(partials, range, {
        maxValuesPerDimension: this.options.maxValuesPerDimension,
        satisfactionWeights: this.options.satisfactionWeights,
        minSliceTraces: options.minSliceTraces,
      }),
      windows_without_partial: missing,
    };
  }

  /** Failed traces ended in the period, newest first. */
  async recentFailures(
    scope: ProjectScope,
    range: TimeRange,
    limit: number,
  ): Promise<RecentFailure[]> {
    const rows = await this.query<Record<string, string | number | string[]>>(
      `SELECT trace_id, project_id, toString(ended_at_ms) AS ended_at, task_type,
              toString(duration_ms) AS duration_ms, cost_usd, completed, rating, escalated,
              error_count, ${ERROR_TYPES} AS error_types
       FROM {db:Identifier}.trace_summaries FINAL
       WHERE ${PROJECT} AND ended_at_ms >= {from:UInt64} AND ended_at_ms < {to:UInt64}
         AND ${FAILURE_CONDITION}
       ORDER BY ended_at_ms DESC, trace_id
       LIMIT {limit:UInt64}`,
      { project: scope.project ?? '', from: range.from, to: range.to, limit },
    );
    return rows.map((r) => ({
      trace_id: String(r.trace_id),
      project_id: String(r.project_id),
      ended_at: n(r.ended_at),
      task_type: String(r.task_type),
      duration_ms: n(r.duration_ms),
      cost_usd: n(r.cost_usd),
      completed: n(r.completed) === 1,
      rating: String(r.rating),
      escalated: n(r.escalated) === 1,
      error_count: n(r.error_count),
      error_types: r.error_types as string[],
    }));
  }

  /** Failed traces ended in the period (every trace's summary is stored, sampled or not). */
  async failureCount(scope: ProjectScope, range: TimeRange): Promise<number> {
    const [row] = await this.query<{ failures: string }>(
      `SELECT count() AS failures FROM {db:Identifier}.trace_summaries FINAL
       WHERE ${PROJECT} AND ended_at_ms >= {from:UInt64} AND ended_at_ms < {to:UInt64}
         AND ${FAILURE_CONDITION}`,
      { project: scope.project ?? '', from: range.from, to: range.to },
    );
    return n(row?.failures ?? 0);
  }

  /** Alerts whose latest state is firing, newest first, with their delivery state. */
  async openAlerts(scope: ProjectScope, limit: number): Promise<OpenAlert[]> {
    const rows = await this.query<Record<string, string | number>>(
      `SELECT project_id, fingerprint,
              argMax(state, occurred_at_ms) AS last_state,
              argMax(alert_id, occurred_at_ms) AS alert_id,
              toString(max(occurred_at_ms)) AS occurred_at,
              argMax(severity, occurred_at_ms) AS severity,
              argMax(metric, occurred_at_ms) AS metric,
              argMax(slice_dimension, occurred_at_ms) AS slice_dimension,
              argMax(slice_value, occurred_at_ms) AS slice_value,
              argMax(message, occurred_at_ms) AS message,
              argMax(current_value, occurred_at_ms) AS current_value,
              argMax(baseline, occurred_at_ms) AS baseline,
              argMax(threshold, occurred_at_ms) AS threshold
       FROM {db:Identifier}.alerts FINAL
       WHERE ${PROJECT}
       GROUP BY project_id, fingerprint
       HAVING last_state = 'firing'
       ORDER BY max(occurred_at_ms) DESC, fingerprint
       LIMIT {limit:UInt64}`,
      { project: scope.project ?? '', limit },
    );
    const ids = rows.map((r) => String(r.alert_id));
    const [deliveries, decisions] =
      ids.length === 0
        ? [[], []]
        : await Promise.all([
            this.query<{ alert_id: string; status: string; attempts: number }>(
              `SELECT alert_id, argMax(status, revision) AS status,
                      argMax(attempts, revision) AS attempts
               FROM {db:Identifier}.alert_deliveries
               WHERE has({ids:Array(String)}, alert_id)
               GROUP BY alert_id`,
              { ids },
            ),
            this.query<{ alert_id: string; reason: string }>(
              `SELECT alert_id, argMax(reason, decided_at_ms) AS reason
               FROM {db:Identifier}.notifier_decisions FINAL
               WHERE has({ids:Array(String)}, alert_id)
               GROUP BY alert_id`,
              { ids },
            ),
          ]);
    const byId = new Map(deliveries.map((d) => [d.alert_id, d]));
    const decisionOf = new Map(decisions.map((d) => [d.alert_id, d.reason]));
    return rows.map((r) => ({
      ...storedAlertOf(r),
      project_id: String(r.project_id),
      delivery_status: byId.get(String(r.alert_id))?.status ?? '',
      delivery_attempts: n(byId.get(String(r.alert_id))?.attempts ?? 0),
      notifier_decision: decisionOf.get(String(r.alert_id)) ?? '',
    }));
  }

  /** Errored spans of the period's failed traces (every failure's spans are kept), by operation. */
  async failuresByOperation(scope: ProjectScope, range: TimeRange): Promise<OperationFailures[]> {
    const rows = await this.query<{ operation: string; failed_spans: string; traces: string }>(
      `SELECT operation, count() AS failed_spans, uniqExact(trace_id) AS traces
       FROM {db:Identifier}.spans FINAL
       WHERE ${PROJECT} AND status = 'ERROR'
         AND start_time_ms >= {spans_from:UInt64} AND start_time_ms < {to:UInt64}
         AND (project_id, trace_id) IN (
           SELECT project_id, trace_id FROM {db:Identifier}.trace_summaries FINAL
           WHERE ${PROJECT} AND ended_at_ms >= {from:UInt64} AND ended_at_ms < {to:UInt64}
             AND ${FAILURE_CONDITION})
       GROUP BY operation
       ORDER BY failed_spans DESC, operation`,
      {
        project: scope.project ?? '',
        from: range.from,
        to: range.to,
        // A trace ending in the period may have started up to a day before it.
        spans_from: Math.max(0, range.from - 86_400_000),
      },
    );
    return rows.map((r) => ({
      operation: r.operation,
      failed_spans: n(r.failed_spans),
      traces: n(r.traces),
    }));
  }

  /**
   * Traces whose spans are kept, ended in the period, up to `perStratum` per (task type,
   * outcome) in a deterministic order: the input of pickReviewTraces.
   */
  async reviewCandidates(
    scope: ProjectScope,
    range: TimeRange,
    perStratum: number,
  ): Promise<(ReviewCandidate & { project_id: string })[]> {
    const params = { project: scope.project ?? '', from: range.from, to: range.to };
    const kept = `${PROJECT} AND sampled = 1
         AND ended_at_ms >= {from:UInt64} AND ended_at_ms < {to:UInt64}`;
    const stratum = `concat(task_type, '/', toString(${FAILURE_CONDITION}))`;
    // Every stored row (a revised trace has several) competes for its stratum by hash, twice the
    // wanted number kept; then the candidates' latest rows decide, and the strata are cut again.
    // Same result as reading the week FINAL unless more than `perStratum` revised rows crowd
    // one stratum. A week holds hundreds of thousands of kept summaries: sorting them all took
    // most of the review page's time, so the strata are counted first, and only hashes below a
    // cut that still holds each stratum's lowest ones are sorted (small strata are read whole).
    const want = perStratum * 2;
    const cuts = Array.from(
      { length: REVIEW_HASH_CUT_LEVELS },
      (_, i) => `countIf(h < ${reviewHashCut(i + 1)})`,
    );
    const counts = await this.query<{ stratum: string; rows: string; below: string[] }>(
      `SELECT stratum, count() AS rows, [${cuts.join(', ')}] AS below
       FROM (SELECT ${stratum} AS stratum, cityHash64(trace_id) AS h
             FROM {db:Identifier}.trace_summaries WHERE ${kept})
       GROUP BY stratum`,
      params,
    );
    if (counts.length === 0) return [];
    const cut = chooseReviewHashCut(
      counts.map((c) => ({ key: c.stratum, rows: n(c.rows), below: c.below.map(n) })),
      want,
    );
    const candidates = await this.query<{ project_id: string; trace_id: string }>(
      `SELECT project_id, trace_id
       FROM {db:Identifier}.trace_summaries
       WHERE ${kept}
         AND (cityHash64(trace_id) < {cut:UInt64}
              -- CAST: an empty array literal is Array(Nothing) on ClickHouse 18.16.
              OR has(CAST({whole:Array(String)} AS Array(String)), ${stratum}))
       ORDER BY cityHash64(trace_id), trace_id
       LIMIT {per:UInt64} BY task_type, ${FAILURE_CONDITION}
       LIMIT 20000`,
      { ...params, per: want, cut: BigInt(reviewHashCut(cut.level)), whole: cut.whole },
    );
    if (candidates.length === 0) return [];
    // The candidates' latest rows (argMax by revision, not FINAL over the week's rows).
    const rows = await this.query<{
      project_id: string;
      trace_id: string;
      latest_task_type: string;
      failed: number;
    }>(
      `SELECT project_id, trace_id, argMax(task_type, revision) AS latest_task_type,
              argMax(${FAILURE_CONDITION}, revision) AS failed
       FROM {db:Identifier}.trace_summaries
       PREWHERE trace_id IN (SELECT arrayJoin({ids:Array(String)}))
       WHERE ${PROJECT}
       GROUP BY project_id, trace_id
       HAVING argMax(sampled, revision) = 1
          AND argMax(ended_at_ms, revision) >= {from:UInt64}
          AND argMax(ended_at_ms, revision) < {to:UInt64}
       ORDER BY latest_task_type, failed, cityHash64(trace_id), trace_id
       LIMIT {per:UInt64} BY latest_task_type, failed
       LIMIT 10000`,
      { ...params, per: perStratum, ids: [...new Set(candidates.map((c) => c.trace_id))] },
    );
    return rows.map((r) => ({
      project_id: r.project_id,
      trace_id: r.trace_id,
      task_type: r.latest_task_type === '' ? 'unknown' : r.latest_task_type,
      outcome: n(r.failed) === 1 ? ('failure' as const) : ('success' as const),
    }));
  }

  /** A trace's latest summary and its kept spans (the sample, else the late-spans buffer). */
  async traceDetail(scope: ProjectScope, traceId: string): Promise<TraceDetail | null> {
    const params = { project: scope.project ?? '', trace: traceId };
    const [row] = await this.query<StoredSummaryRow>(
      `SELECT * FROM {db:Identifier}.trace_summaries FINAL
       WHERE ${PROJECT} AND trace_id = {trace:String}
       ORDER BY revision DESC, project_id LIMIT 1`,
      params,
    );
    if (row === undefined) return null;
    const summary = toTraceSummary(row);
    const scoped = { project: summary.project_id, trace: traceId };
    for (const table of ['spans', 'spans_recent'] as const) {
      const spans = await this.query<StoredSpanRow>(
        `SELECT * FROM {db:Identifier}.${table} FINAL
         WHERE project_id = {project:String} AND trace_id = {trace:String}
         ORDER BY start_time_ms, span_id`,
        scoped,
      );
      if (spans.length > 0) return { summary, spans: spans.map(toSpan), spans_source: table };
    }
    return { summary, spans: [], spans_source: 'none' };
  }

  /**
   * Which traces to export as eval candidates: those reviewers marked "add to eval set" first
   * (newest first), then failures (grouped by their first error type, newest first within),
   * then successes in a deterministic hash order. Only traces whose spans are kept; traces
   * exported before are skipped unless `includeExported`.
   */
  async evalCandidates(query: EvalCandidateQuery): Promise<EvalCandidateRef[]> {
    const params = {
      project: query.project ?? '',
      from: query.from,
      to: query.to,
      task: query.taskType ?? '',
      include: query.includeExported ? 1 : 0,
    };
    const where = `${PROJECT} AND sampled = 1
         AND ended_at_ms >= {from:UInt64} AND ended_at_ms < {to:UInt64}
         AND ({task:String} = '' OR task_type = {task:String})
         AND ({include:UInt8} = 1 OR (project_id, trace_id) NOT IN (
           SELECT project_id, trace_id FROM {db:Identifier}.eval_exports))`;
    const reviewed = await this.query<{
      project_id: string;
      trace_id: string;
      type: string;
      failed: number;
    }>(
      `SELECT project_id, trace_id, ${PRIMARY_FAILURE} AS type, ${FAILURE_CONDITION} AS failed
       FROM {db:Identifier}.trace_summaries FINAL
       WHERE ${where} AND (project_id, trace_id) IN (${MARKED_FOR_EVAL})
       ORDER BY ended_at_ms DESC, trace_id
       LIMIT {limit:UInt64}`,
      { ...params, limit: query.limit },
    );
    const rest = query.limit - reviewed.length;
    const notReviewed = `${where} AND (project_id, trace_id) NOT IN (${MARKED_FOR_EVAL})`;
    const failureLimit = Math.max(0, rest - Math.min(query.successes, rest));
    const failures =
      failureLimit <= 0
        ? []
        : await this.query<{ project_id: string; trace_id: string; type: string }>(
            `SELECT project_id, trace_id, ${PRIMARY_FAILURE} AS type
             FROM {db:Identifier}.trace_summaries FINAL
             WHERE ${notReviewed} AND ${FAILURE_CONDITION}
             ORDER BY type, ended_at_ms DESC, trace_id
             LIMIT {limit:UInt64}`,
            { ...params, limit: failureLimit },
          );
    const successLimit = rest - failures.length;
    const successes =
      successLimit <= 0
        ? []
        : await this.query<{ project_id: string; trace_id: string }>(
            `SELECT project_id, trace_id
             FROM {db:Identifier}.trace_summaries FINAL
             WHERE ${notReviewed} AND NOT ${FAILURE_CONDITION}
             ORDER BY cityHash64(trace_id), trace_id
             LIMIT {limit:UInt64}`,
            { ...params, limit: successLimit },
          );
    return [
      ...reviewed.map((r) => ({
        project_id: r.project_id,
        trace_id: r.trace_id,
        kind: 'reviewed' as const,
        failure_type: n(r.failed) === 1 ? r.type : '',
      })),
      ...failures.map((r) => ({
        project_id: r.project_id,
        trace_id: r.trace_id,
        kind: 'failure' as const,
        failure_type: r.type,
      })),
      ...successes.map((r) => ({
        project_id: r.project_id,
        trace_id: r.trace_id,
        kind: 'success' as const,
        failure_type: '',
      })),
    ];
  }

  /**
   * The eval-candidate export as JSON lines (`{"kind","failure_type","summary","spans"}`), a
   * page of `pageSize` traces at a time (memory stays bounded): what `agentmon eval-candidates`
   * writes to its file and the console streams as a download. Each page comes with the refs it
   * wrote, so a caller that records exports records exactly what was written.
   */
  async *evalCandidatePages(
    query: EvalCandidateQuery,
    pageSize: number,
  ): AsyncGenerator<{ lines: string[]; written: EvalCandidateRef[]; done: number; total: number }> {
    const refs = await this.evalCandidates(query);
    for (let i = 0; i < refs.length; i += pageSize) {
      const page = refs.slice(i, i + pageSize);
      const traces = await this.tracesWithSpans(page);
      const lines: string[] = [];
      const written: EvalCandidateRef[] = [];
      for (const ref of page) {
        const trace = traces.get(`${ref.project_id}\u0000${ref.trace_id}`);
        if (trace === undefined) continue;
        lines.push(
          JSON.stringify({
            kind: ref.kind,
            failure_type: ref.failure_type || null,
            summary: trace.summary,
            spans: trace.spans,
          }),
        );
        written.push(ref);
      }
      yield { lines, written, done: Math.min(i + page.length, refs.length), total: refs.length };
    }
  }

  /**
   * The week's traces for human review, as the weekly report picks them: up to `count` kept
   * traces stratified by task type and outcome, deterministic for the project and week start.
   */
  async reviewPick(
    scope: ProjectScope,
    week: TimeRange,
    count: number,
  ): Promise<(ReviewCandidate & { project_id: string })[]> {
    const candidates = await this.reviewCandidates(scope, week, count);
    return pickReviewTraces(candidates, count, `${scope.project ?? '*'}:${week.from}`);
  }

  /** Summaries and spans of a page of traces (one query each), keyed by project and trace. */
  async tracesWithSpans(
    refs: readonly { project_id: string; trace_id: string }[],
  ): Promise<Map<string, { summary: TraceSummary; spans: Span[] }>> {
    const out = new Map<string, { summary: TraceSummary; spans: Span[] }>();
    if (refs.length === 0) return out;
    const key = (project: string, trace: string) => `${project}\u0000${trace}`;
    const wanted = new Set(refs.map((r) => key(r.project_id, r.trace_id)));
    const params = {
      projects: [...new Set(refs.map((r) => r.project_id))],
      traces: refs.map((r) => r.trace_id),
    };
    const summaries = await this.query<StoredSummaryRow>(
      `SELECT * FROM {db:Identifier}.trace_summaries FINAL
       WHERE has({projects:Array(String)}, project_id) AND has({traces:Array(String)}, trace_id)`,
      params,
    );
    for (const row of summaries) {
      const k = key(String(row.project_id), String(row.trace_id));
      if (wanted.has(k)) out.set(k, { summary: toTraceSummary(row), spans: [] });
    }
    const spans = await this.query<StoredSpanRow>(
      `SELECT * FROM {db:Identifier}.spans FINAL
       WHERE has({projects:Array(String)}, project_id) AND has({traces:Array(String)}, trace_id)
       ORDER BY trace_id, start_time_ms, span_id`,
      params,
    );
    for (const row of spans) {
      out.get(key(String(row.project_id), String(row.trace_id)))?.spans.push(toSpan(row));
    }
    return out;
  }

  /** Remembers exported traces so the next export skips them. */
  async recordExports(records: readonly EvalExportRecord[]): Promise<void> {
    await this.connection.insert(ClickHouseTables.evalExports, records);
  }
}

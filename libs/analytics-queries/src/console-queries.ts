import {
  ClickHouseTables,
  type ClickHouseConnection,
  type QueryParams,
} from '@agentmon/clickhouse';
import type { MetricWindow, ReviewVerdict, TraceErrorType } from '@agentmon/contracts';
import { FAILURE_CONDITION, storedAlertOf, type StoredAlert } from './analytics-queries';
import type { TimeRange } from './time-range';

// What the console reads besides the CLI's queries: one series' windows (control charts,
// sparklines), an alert's timeline with the notifier's decisions and delivery attempts, trace
// search, and review verdicts (the one thing the console writes). Every query names exactly one
// project: the console never reads across projects (its tokens are scoped to projects).

const ERROR_TYPES = `arrayFilter(x -> x != '', [
    if(errors_tool_failure > 0, 'tool_failure', ''),
    if(errors_llm_refusal > 0, 'llm_refusal', ''),
    if(errors_timeout > 0, 'timeout', ''),
    if(errors_user_abandonment > 0, 'user_abandonment', ''),
    if(errors_hallucination_caught > 0, 'hallucination_caught', '')
  ])`;

const n = (v: unknown) => Number(v);

/** A slice as the console names it: `all` or `<dimension>=<value>`. */
export interface SliceRef {
  dimension: string;
  value: string;
}

/** The overall series' key numbers of one window (sparklines and the traffic chart). */
export interface OverallPoint {
  window_start: number;
  trace_count: number;
  completion_rate: number;
  strong_completion_rate: number;
  latency_p95_ms: number;
  error_rate: number;
  cost_avg_usd: number;
  satisfaction_index: number;
  positive_share: number;
  rating_coverage: number;
  /** Whether the window had any rating / implicit signal (a stored 0 may mean "none"). */
  rated: boolean;
}

export interface AlertChange extends StoredAlert {
  state: string;
}

export interface AlertDecision {
  alert_id: string;
  decided_at: number;
  reason: string;
  notification_id: string;
  silence_id: string;
  detail: string;
}

export interface DeliveryAttempt {
  notification_id: string;
  attempted_at: number;
  round: number;
  attempt: number;
  http_status: number;
  outcome: string;
  latency_ms: number;
  error: string;
}

export interface AlertDelivery {
  alert_id: string;
  channel: string;
  status: string;
  attempts: number;
  last_error: string;
}

export interface BaselineResetEntry {
  reset_id: string;
  requested_at: number;
  requested_by: string;
  reason: string;
  /** '' = every metric / every slice. */
  metric: string;
  slice_dimension: string;
  slice_value: string;
}

export interface AlertTimeline {
  changes: AlertChange[];
  decisions: AlertDecision[];
  attempts: DeliveryAttempt[];
  deliveries: AlertDelivery[];
  resets: BaselineResetEntry[];
}

export interface TraceSearch extends TimeRange {
  project: string;
  taskType?: string;
  outcome: 'any' | 'success' | 'failure';
  errorType?: TraceErrorType | '';
  userId?: string;
  limit: number;
}

export interface TraceListItem {
  trace_id: string;
  started_at: number;
  duration_ms: number;
  task_type: string;
  user_id: string;
  completed: boolean;
  strong_completion: boolean;
  failed: boolean;
  rating: string;
  escalated: boolean;
  error_types: string[];
  cost_usd: number;
  span_count: number;
  sampled: boolean;
}

export interface VerdictRecord {
  project_id: string;
  trace_id: string;
  verdict: ReviewVerdict;
  reviewer: string;
  note: string;
  week_start_ms: number;
  decided_at_ms: number;
}

/**
 * The console's reads (and its one write, review verdicts) over AgentMon's ClickHouse tables.
 * Charts read the aggregator's stored windows, never spans; every query is parameterized and
 * runs on 18.16 and current releases.
 */
export class ConsoleQueries {
  constructor(
    private readonly connection: ClickHouseConnection,
    private readonly options: { baseWindowS: number },
  ) {}

  private query<Row>(sql: string, params: QueryParams): Promise<Row[]> {
    return this.connection.query<Row>(sql, { db: this.connection.database, ...params });
  }

  /** The overall series' base windows in the range, oldest first (selected columns only). */
  async overallSeries(project: string, range: TimeRange): Promise<OverallPoint[]> {
    const rows = await this.query<Record<string, string | number>>(
      `SELECT toString(window_start_ms) AS start_ms, trace_count, completion_rate,
              strong_completion_rate, latency_p95_ms, error_rate, cost_avg_usd,
              satisfaction_index, positive_share, rating_coverage,
              (rating_positive_count + rating_negative_count + accepted_count + corrected_count
                + abandoned_count + follow_up_count + output_copied_count) > 0 AS rated
       FROM {db:Identifier}.metric_windows FINAL
       WHERE project_id = {project:String} AND metric_group = 'traces'
         AND slice_dimension = 'all' AND window_size_s = {size:UInt32}
         AND window_start >= toDateTime({from_s:UInt32}) AND window_start < toDateTime({to_s:UInt32})
       ORDER BY window_start_ms`,
      {
        project,
        size: this.options.baseWindowS,
        from_s: Math.floor(range.from / 1000),
        to_s: Math.ceil(range.to / 1000),
      },
    );
    return rows.map((r) => ({
      window_start: n(r.start_ms),
      trace_count: n(r.trace_count),
      completion_rate: n(r.completion_rate),
      strong_completion_rate: n(r.strong_completion_rate),
      latency_p95_ms: n(r.latency_p95_ms),
      error_rate: n(r.error_rate),
      cost_avg_usd: n(r.cost_avg_usd),
      satisfaction_index: n(r.satisfaction_index),
      positive_share: n(r.positive_share),
      rating_coverage: n(r.rating_coverage),
      rated: n(r.rated) === 1,
    }));
  }

  /**
   * One series' base windows in the range as the aggregator published them (the stored
   * window_json: nulls where nothing was measured, as the detector saw them), oldest first.
   * At most `maxWindows`; the caller refuses longer ranges rather than drawing a cut chart.
   */
  async seriesWindows(
    project: string,
    slice: SliceRef,
    range: TimeRange,
    maxWindows: number,
  ): Promise<MetricWindow[]> {
    // argMax by revision rather than FINAL: only this series' window_json is read (PREWHERE),
    // not that of every slice sharing the granules.
    const rows = await this.query<{ window_json: string }>(
      `SELECT argMax(window_json, revision) AS window_json
       FROM {db:Identifier}.metric_windows
       PREWHERE slice_dimension = {dimension:String} AND slice_value = {value:String}
         AND window_size_s = {size:UInt32}
       WHERE project_id = {project:String} AND metric_group = 'traces'
         AND window_start >= toDateTime({from_s:UInt32}) AND window_start < toDateTime({to_s:UInt32})
       GROUP BY window_start_ms
       ORDER BY window_start_ms
       LIMIT {limit:UInt64}`,
      {
        project,
        dimension: slice.dimension,
        value: slice.value,
        size: this.options.baseWindowS,
        from_s: Math.floor(range.from / 1000),
        to_s: Math.ceil(range.to / 1000),
        limit: maxWindows,
      },
    );
    return rows.map((r) => JSON.parse(r.window_json) as MetricWindow);
  }

  /** Slice values seen in the range per dimension (the chart page's slice picker). */
  async sliceValues(project: string, range: TimeRange, perDimension: number): Promise<SliceRef[]> {
    const rows = await this.query<{ slice_dimension: string; slice_value: string }>(
      `SELECT slice_dimension, slice_value, sum(trace_count) AS traces
       FROM {db:Identifier}.metric_windows
       WHERE project_id = {project:String} AND metric_group = 'traces'
         AND window_size_s = {size:UInt32} AND slice_dimension != 'all'
         AND window_start >= toDateTime({from_s:UInt32}) AND window_start < toDateTime({to_s:UInt32})
       GROUP BY slice_dimension, slice_value
       ORDER BY slice_dimension, traces DESC, slice_value
       LIMIT {per:UInt64} BY slice_dimension`,
      {
        project,
        size: this.options.baseWindowS,
        from_s: Math.floor(range.from / 1000),
        to_s: Math.ceil(range.to / 1000),
        per: perDimension,
      },
    );
    return rows.map((r) => ({ dimension: r.slice_dimension, value: r.slice_value }));
  }

  /**
   * Alert state changes in the range (optionally of one metric and slice), newest first, with
   * what the notifier decided about each, its delivery attempts, and the baseline resets.
   */
  async alertTimeline(
    project: string,
    range: TimeRange,
    options: { limit: number; metric?: string; slice?: SliceRef },
  ): Promise<AlertTimeline> {
    const params = {
      project,
      from: range.from,
      to: range.to,
      limit: options.limit,
      metric: options.metric ?? '',
      dimension: options.slice?.dimension ?? '',
      value: options.slice?.value ?? '',
    };
    const [changes, resets] = await Promise.all([
      this.query<Record<string, string | number>>(
        `SELECT alert_id, fingerprint, toString(occurred_at_ms) AS occurred_ms, state, severity,
                metric, slice_dimension, slice_value, message, current_value, baseline, threshold
         FROM {db:Identifier}.alerts FINAL
         WHERE project_id = {project:String}
           AND occurred_at_ms >= {from:UInt64} AND occurred_at_ms < {to:UInt64}
           AND ({metric:String} = '' OR metric = {metric:String})
           AND ({dimension:String} = '' OR (slice_dimension = {dimension:String} AND slice_value = {value:String}))
         ORDER BY occurred_at_ms DESC, alert_id
         LIMIT {limit:UInt64}`,
        params,
      ),
      this.query<Record<string, string>>(
        `SELECT reset_id, toString(requested_at_ms) AS requested_ms, requested_by, reason, metric,
                slice_dimension, slice_value
         FROM {db:Identifier}.baseline_resets FINAL
         WHERE (project_id = '' OR project_id = {project:String})
           AND requested_at_ms >= {from:UInt64} AND requested_at_ms < {to:UInt64}
           AND ({metric:String} = '' OR metric = '' OR metric = {metric:String})
           AND ({dimension:String} = '' OR slice_dimension = ''
                OR (slice_dimension = {dimension:String} AND slice_value = {value:String}))
         ORDER BY requested_at_ms DESC, reset_id
         LIMIT {limit:UInt64}`,
        params,
      ),
    ]);
    const ids = changes.map((c) => String(c.alert_id));
    const [decisions, deliveries] =
      ids.length === 0
        ? [[], []]
        : await Promise.all([
            this.query<Record<string, string>>(
              `SELECT alert_id, toString(decided_at_ms) AS decided_ms, reason, notification_id,
                      silence_id, detail
               FROM {db:Identifier}.notifier_decisions FINAL
               WHERE project_id = {project:String} AND has({ids:Array(String)}, alert_id)
               ORDER BY decided_at_ms, alert_id, reason`,
              { project, ids },
            ),
            this.query<Record<string, string | number>>(
              `SELECT alert_id, channel, argMax(status, revision) AS status,
                      argMax(attempts, revision) AS attempts, argMax(last_error, revision) AS last_error
               FROM {db:Identifier}.alert_deliveries
               WHERE project_id = {project:String} AND has({ids:Array(String)}, alert_id)
               GROUP BY alert_id, channel`,
              { project, ids },
            ),
          ]);
    const notifications = [
      ...new Set(decisions.map((d) => d.notification_id).filter((id) => id !== '')),
    ];
    const attempts =
      notifications.length === 0
        ? []
        : await this.query<Record<string, string | number>>(
            `SELECT notification_id, toString(attempted_at_ms) AS attempted_ms, round, attempt,
                    http_status, outcome, latency_ms, error
             FROM {db:Identifier}.notification_attempts FINAL
             WHERE project_id = {project:String} AND has({ids:Array(String)}, notification_id)
             ORDER BY attempted_at_ms, notification_id, round, attempt`,
            { project, ids: notifications },
          );
    return {
      changes: changes.map((c) => ({
        ...storedAlertOf(c, 'occurred_ms'),
        state: String(c.state),
      })),
      decisions: decisions.map((d) => ({
        alert_id: d.alert_id,
        decided_at: n(d.decided_ms),
        reason: d.reason,
        notification_id: d.notification_id,
        silence_id: d.silence_id,
        detail: d.detail,
      })),
      attempts: attempts.map((a) => ({
        notification_id: String(a.notification_id),
        attempted_at: n(a.attempted_ms),
        round: n(a.round),
        attempt: n(a.attempt),
        http_status: n(a.http_status),
        outcome: String(a.outcome),
        latency_ms: n(a.latency_ms),
        error: String(a.error),
      })),
      deliveries: deliveries.map((d) => ({
        alert_id: String(d.alert_id),
        channel: String(d.channel),
        status: String(d.status),
        attempts: n(d.attempts),
        last_error: String(d.last_error),
      })),
      resets: resets.map((r) => ({
        reset_id: r.reset_id,
        requested_at: n(r.requested_ms),
        requested_by: r.requested_by,
        reason: r.reason,
        metric: r.metric,
        slice_dimension: r.slice_dimension,
        slice_value: r.slice_value,
      })),
    };
  }

  /**
   * Traces started in the range matching the filters, newest first. Reads summaries only
   * (every trace has one, sampled or not); the day in the sort key prunes to the range's days.
   */
  async searchTraces(search: TraceSearch): Promise<TraceListItem[]> {
    const params = {
      project: search.project,
      from: search.from,
      to: search.to,
      from_s: Math.floor(search.from / 1000),
      to_s: Math.floor(search.to / 1000),
      task: search.taskType ?? '',
      user: search.userId ?? '',
      outcome: search.outcome,
      error: search.errorType ?? '',
    };
    const filters = `project_id = {project:String}
         AND toDate(started_at) >= toDate(toDateTime({from_s:UInt32}))
         AND toDate(started_at) <= toDate(toDateTime({to_s:UInt32}))
         AND started_at_ms >= {from:UInt64} AND started_at_ms < {to:UInt64}
         AND ({task:String} = '' OR task_type = {task:String})
         AND ({user:String} = '' OR user_id = {user:String})
         AND ({outcome:String} = 'any' OR ({outcome:String} = 'failure') = ${FAILURE_CONDITION})
         AND ({error:String} = '' OR has(${ERROR_TYPES}, {error:String}))`;
    // Two steps, so a day of a million summaries is never merged with FINAL: the newest matching
    // ids from the filter columns alone (a late revision may list a trace twice: over-fetch),
    // then those traces' latest rows, filtered again (a revision may have changed the outcome).
    const candidates = await this.query<{ trace_id: string }>(
      `SELECT trace_id FROM {db:Identifier}.trace_summaries
       WHERE ${filters}
       ORDER BY started_at_ms DESC, trace_id
       LIMIT {limit:UInt64}`,
      { ...params, limit: search.limit * 2 },
    );
    if (candidates.length === 0) return [];
    const rows = await this.query<Record<string, string | number | string[]>>(
      `SELECT trace_id, toString(started_at_ms) AS started_ms, toString(duration_ms) AS duration,
              task_type, user_id, completed, strong_completion, ${FAILURE_CONDITION} AS failed,
              rating, escalated, ${ERROR_TYPES} AS error_types, cost_usd, span_count, sampled
       FROM {db:Identifier}.trace_summaries FINAL
       WHERE ${filters} AND trace_id IN (SELECT arrayJoin({ids:Array(String)}))
       ORDER BY started_at_ms DESC, trace_id
       LIMIT {limit:UInt64}`,
      { ...params, ids: [...new Set(candidates.map((c) => c.trace_id))], limit: search.limit },
    );
    return rows.map((r) => ({
      trace_id: String(r.trace_id),
      started_at: n(r.started_ms),
      duration_ms: n(r.duration),
      task_type: String(r.task_type),
      user_id: String(r.user_id),
      completed: n(r.completed) === 1,
      strong_completion: n(r.strong_completion) === 1,
      failed: n(r.failed) === 1,
      rating: String(r.rating),
      escalated: n(r.escalated) === 1,
      error_types: r.error_types as string[],
      cost_usd: n(r.cost_usd),
      span_count: n(r.span_count),
      sampled: n(r.sampled) === 1,
    }));
  }

  /** Whether the project has a summary of this trace (a verdict is only taken for its traces). */
  async traceExists(project: string, traceId: string): Promise<boolean> {
    const [row] = await this.query<{ c: string }>(
      `SELECT count() AS c FROM {db:Identifier}.trace_summaries
       WHERE project_id = {project:String} AND trace_id = {trace:String}`,
      { project, trace: traceId },
    );
    return n(row?.c ?? 0) > 0;
  }

  /** The latest verdict of each of these traces (argMax: an unmerged older row never wins). */
  async verdicts(
    project: string,
    traceIds: readonly string[],
  ): Promise<Map<string, { verdict: ReviewVerdict; reviewer: string; note: string; at: number }>> {
    const out = new Map<
      string,
      { verdict: ReviewVerdict; reviewer: string; note: string; at: number }
    >();
    if (traceIds.length === 0) return out;
    const rows = await this.query<Record<string, string>>(
      `SELECT trace_id, argMax(verdict, decided_at_ms) AS verdict,
              argMax(reviewer, decided_at_ms) AS reviewer, argMax(note, decided_at_ms) AS note,
              toString(max(decided_at_ms)) AS last_ms
       FROM {db:Identifier}.review_verdicts
       WHERE project_id = {project:String} AND has({ids:Array(String)}, trace_id)
       GROUP BY trace_id`,
      { project, ids: [...traceIds] },
    );
    for (const r of rows) {
      out.set(r.trace_id, {
        verdict: r.verdict as ReviewVerdict,
        reviewer: r.reviewer,
        note: r.note,
        at: n(r.last_ms),
      });
    }
    return out;
  }

  async recordVerdict(record: VerdictRecord): Promise<void> {
    await this.connection.insert(ClickHouseTables.reviewVerdicts, [record]);
  }
}

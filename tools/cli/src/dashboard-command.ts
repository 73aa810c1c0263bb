import {
  deliveryLabel,
  type AnalyticsQueries,
  type OpenAlert,
  type PeriodMetrics,
  type RecentFailure,
  type SliceMetrics,
  type TimeRange,
} from '@agentmon/analytics-queries';
import { Command } from 'commander';
import {
  iso,
  jsonOption,
  ms,
  num,
  pct,
  periodFrom,
  positiveInt,
  table,
  implicitSignals,
  ratingCoverageCaveat,
  shareWithInterval,
  usd,
  withPeriodOptions,
} from './analytics-format';
import { withQueries } from './query-context';

export interface Dashboard {
  from: string;
  to: string;
  project: string | null;
  overall: PeriodMetrics;
  slices: SliceMetrics[];
  recent_failures: RecentFailure[];
  open_alerts: OpenAlert[];
  /** Stored windows without a combined partial (written before migration 0008): not counted. */
  windows_without_partial: number;
}

export async function buildDashboard(
  queries: AnalyticsQueries,
  project: string | undefined,
  range: TimeRange,
  limits: { failures: number; alerts: number; minSliceTraces: number },
): Promise<Dashboard> {
  const scope = { project };
  const [summary, failures, alerts] = await Promise.all([
    queries.periodSummary(scope, range, { minSliceTraces: limits.minSliceTraces }),
    queries.recentFailures(scope, range, limits.failures),
    queries.openAlerts(scope, limits.alerts),
  ]);
  return {
    from: iso(range.from),
    to: iso(range.to),
    project: project ?? null,
    overall: summary.overall,
    slices: summary.slices,
    recent_failures: failures,
    open_alerts: alerts,
    windows_without_partial: summary.windows_without_partial,
  };
}

/** Lines shown only when there is something to say. */
const optionalLine = (line: string | undefined): string[] => (line === undefined ? [] : [line]);

export function formatDashboard(
  d: Dashboard,
  options: { maxSlices: number; minRatingCoverage: number },
): string {
  const { maxSlices } = options;
  const o = d.overall;
  const r = o.error_type_rates;
  const lines: string[] = [
    `AgentMon dashboard ${d.project ?? '(every project)'}: ${d.from} → ${d.to}`,
    table(
      ['metric', 'value'],
      [
        ['traces', o.trace_count],
        ['completion', pct(o.completion_rate)],
        ['strong completion', pct(o.strong_completion_rate)],
        ['completion gap', pct(o.completion_gap)],
        [
          'latency p50 / p95 / p99',
          `${ms(o.latency_p50_ms)} / ${ms(o.latency_p95_ms)} / ${ms(o.latency_p99_ms)}`,
        ],
        ['cost per successful task', usd(o.cost_per_successful_task_usd)],
        ['cost avg / total', `${usd(o.cost_avg_usd)} / ${usd(o.cost_total_usd)}`],
        ['tool-call error rate', pct(o.error_rate)],
        [
          'error types (share of traces)',
          `tool failure ${pct(r.tool_failure)}, refusal ${pct(r.llm_refusal)}, timeout ${pct(r.timeout)}, abandonment ${pct(r.user_abandonment)}, hallucination ${pct(r.hallucination_caught)}`,
        ],
        [
          'tool calls / steps / tokens per session',
          `${num(o.avg_tool_calls)} / ${num(o.avg_steps)} / ${num(o.avg_tokens, 0)}`,
        ],
        [
          'rating coverage',
          `${pct(o.rating_coverage)} (${o.rating_positive_count + o.rating_negative_count} rated)`,
        ],
        [
          'positive share of ratings (95% interval)',
          shareWithInterval(o.positive_share, o.positive_share_low, o.positive_share_high),
        ],
        ['implicit signals (share of traces)', implicitSignals(o)],
        ['satisfaction index (−1…1)', num(o.satisfaction_index, 2)],
      ],
    ),
    ...optionalLine(ratingCoverageCaveat(o.rating_coverage, options.minRatingCoverage)),
    '',
    `Slices, worst strong completion first (${Math.min(maxSlices, d.slices.length)} of ${d.slices.length})`,
    table(
      [
        'slice',
        'traces',
        'completion',
        'strong',
        'p95',
        'error rate',
        'cost/success',
        'corrected',
        'satisfaction',
      ],
      d.slices
        .slice(0, maxSlices)
        .map((s) => [
          `${s.dimension}=${s.value}`,
          s.trace_count,
          pct(s.completion_rate),
          pct(s.strong_completion_rate),
          ms(s.latency_p95_ms),
          pct(s.error_rate),
          usd(s.cost_per_successful_task_usd),
          pct(s.corrected_rate),
          num(s.satisfaction_index, 2),
        ]),
    ),
    '',
    `Recent failures (${d.recent_failures.length})`,
    table(
      ['ended', 'trace', 'task type', 'duration', 'errors', 'outcome'],
      d.recent_failures.map((f) => [
        iso(f.ended_at),
        f.trace_id,
        f.task_type || 'unknown',
        ms(f.duration_ms),
        f.error_types.join(', ') || '-',
        [
          !f.completed && 'not completed',
          f.rating === 'negative' && 'rated negative',
          f.escalated && 'escalated',
        ]
          .filter(Boolean)
          .join(', ') || '-',
      ]),
    ),
    '',
    `Open alerts (${d.open_alerts.length})`,
    table(
      ['since', 'severity', 'metric', 'slice', 'value', 'baseline', 'delivery'],
      d.open_alerts.map((a) => [
        iso(a.occurred_at),
        a.severity,
        a.metric,
        a.slice_dimension === 'all' ? 'all' : `${a.slice_dimension}=${a.slice_value}`,
        num(a.current_value, 3),
        num(a.baseline, 3),
        deliveryLabel(a),
      ]),
    ),
  ];
  if (d.windows_without_partial > 0)
    lines.push(
      `note: ${d.windows_without_partial} stored windows carry no partial and were not counted`,
    );
  return `${lines.join('\n')}\n`;
}

export function createDashboardCommand(): Command {
  return withPeriodOptions(
    new Command('dashboard').description(
      'key metrics, slices worst first, recent failures and open alerts over a period (from the stored windows and rollups)',
    ),
    '24h',
  )
    .addOption(jsonOption())
    .option('--slices <n>', 'slice rows shown in the table', positiveInt('--slices'), 15)
    .option('--failures <n>', 'recent failures listed', positiveInt('--failures'), 10)
    .option(
      '--min-traces <n>',
      'fewest traces a slice needs to be listed',
      positiveInt('--min-traces'),
      1,
    )
    .action(
      async (options: {
        project?: string;
        since: string;
        until?: string;
        json?: boolean;
        slices: number;
        failures: number;
        minTraces: number;
      }) => {
        await withQueries(async ({ config, queries }) => {
          const range = periodFrom(options, Date.now(), '24h', config.AGGREGATOR_WINDOW_MS);
          const dashboard = await buildDashboard(queries, options.project, range, {
            failures: options.failures,
            alerts: 50,
            minSliceTraces: options.minTraces,
          });
          process.stdout.write(
            options.json
              ? `${JSON.stringify(dashboard)}\n`
              : formatDashboard(dashboard, {
                  maxSlices: options.slices,
                  minRatingCoverage: config.REPORT_MIN_RATING_COVERAGE,
                }),
          );
        });
      },
    );
}

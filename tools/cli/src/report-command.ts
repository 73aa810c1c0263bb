import {
  DEFAULT_SLICE_CHANGE_THRESHOLDS,
  parseTimeArgument,
  recommendActions,
  worsenedSlices,
  type AnalyticsQueries,
  type OperationFailures,
  type PeriodMetrics,
  type Recommendation,
  type RecommendationThresholds,
  type SliceChange,
  type TimeRange,
} from '@agentmon/analytics-queries';
import type { AppConfig } from '@agentmon/config';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  implicitSignals,
  iso,
  ms,
  num,
  pct,
  ratingCoverageCaveat,
  shareWithInterval,
  table,
  usd,
} from './analytics-format';
import { withQueries } from './query-context';

const WEEK_MS = 7 * 86_400_000;

function untilArgument(text: string, now: number): number {
  try {
    return parseTimeArgument('--until', text, now);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}

export interface WeeklyReport {
  from: string;
  to: string;
  previous_from: string;
  project: string | null;
  current: PeriodMetrics;
  previous: PeriodMetrics;
  failure_count: number;
  failures_by_operation: OperationFailures[];
  failures_by_error_type: Record<string, number>;
  worsened_slices: SliceChange[];
  recommendations: Recommendation[];
  review_traces: { project_id: string; trace_id: string; task_type: string; outcome: string }[];
  /** Set when too few traces carry a rating for the positive share to speak for users. */
  rating_coverage_note: string | null;
}

export function reportThresholds(config: AppConfig): RecommendationThresholds {
  return {
    minCompletionRate: config.REPORT_MIN_COMPLETION_RATE,
    maxErrorRate: config.REPORT_MAX_ERROR_RATE,
    maxP99Ms: config.REPORT_MAX_P99_MS,
    maxToolFailureRate: config.REPORT_MAX_TOOL_FAILURE_RATE,
    maxCostPerSuccessGrowth: config.REPORT_MAX_COST_PER_SUCCESS_GROWTH,
  };
}

/** The week [from, to) against the week before it. */
export async function buildWeeklyReport(
  queries: AnalyticsQueries,
  project: string | undefined,
  week: TimeRange,
  options: {
    thresholds: RecommendationThresholds;
    minSliceTraces: number;
    reviewTraces: number;
    minRatingCoverage: number;
  },
): Promise<WeeklyReport> {
  const scope = { project };
  const previousWeek = { from: week.from - (week.to - week.from), to: week.from };
  // The review pick is the read layer's, so the console's review page shows the same traces.
  const [current, previous, failureCount, byOperation, review] = await Promise.all([
    queries.periodSummary(scope, week),
    queries.periodSummary(scope, previousWeek),
    queries.failureCount(scope, week),
    queries.failuresByOperation(scope, week),
    queries.reviewPick(scope, week, options.reviewTraces),
  ]);
  return {
    from: iso(week.from),
    to: iso(week.to),
    previous_from: iso(previousWeek.from),
    project: project ?? null,
    current: current.overall,
    previous: previous.overall,
    failure_count: failureCount,
    failures_by_operation: byOperation,
    failures_by_error_type: { ...current.overall.error_type_counts },
    worsened_slices: worsenedSlices(current.slices, previous.slices, {
      ...DEFAULT_SLICE_CHANGE_THRESHOLDS,
      minTraces: options.minSliceTraces,
    }),
    recommendations: recommendActions(
      current.overall,
      previous.overall.trace_count > 0 ? previous.overall : null,
      options.thresholds,
    ),
    review_traces: review.map((r) => ({
      project_id: r.project_id,
      trace_id: r.trace_id,
      task_type: r.task_type,
      outcome: r.outcome,
    })),
    rating_coverage_note:
      ratingCoverageCaveat(current.overall.rating_coverage, options.minRatingCoverage) ?? null,
  };
}

type Row = {
  label: string;
  key: keyof PeriodMetrics;
  fmt: (x: number | null) => string;
  higherIsBetter: boolean;
};
const SUMMARY_ROWS: Row[] = [
  { label: 'traces', key: 'trace_count', fmt: (x) => num(x, 0), higherIsBetter: true },
  { label: 'completion', key: 'completion_rate', fmt: pct, higherIsBetter: true },
  { label: 'strong completion', key: 'strong_completion_rate', fmt: pct, higherIsBetter: true },
  { label: 'completion gap', key: 'completion_gap', fmt: pct, higherIsBetter: false },
  { label: 'latency p50', key: 'latency_p50_ms', fmt: ms, higherIsBetter: false },
  { label: 'latency p95', key: 'latency_p95_ms', fmt: ms, higherIsBetter: false },
  { label: 'latency p99', key: 'latency_p99_ms', fmt: ms, higherIsBetter: false },
  {
    label: 'cost per successful task',
    key: 'cost_per_successful_task_usd',
    fmt: usd,
    higherIsBetter: false,
  },
  { label: 'tool-call error rate', key: 'error_rate', fmt: pct, higherIsBetter: false },
  {
    label: 'tool calls per session',
    key: 'avg_tool_calls',
    fmt: (x) => num(x),
    higherIsBetter: false,
  },
  { label: 'steps per session', key: 'avg_steps', fmt: (x) => num(x), higherIsBetter: false },
  { label: 'tokens per session', key: 'avg_tokens', fmt: (x) => num(x, 0), higherIsBetter: false },
  { label: 'rating coverage', key: 'rating_coverage', fmt: pct, higherIsBetter: true },
  { label: 'positive share of ratings', key: 'positive_share', fmt: pct, higherIsBetter: true },
  { label: 'accepted', key: 'accepted_rate', fmt: pct, higherIsBetter: true },
  { label: 'corrected', key: 'corrected_rate', fmt: pct, higherIsBetter: false },
  { label: 'abandoned', key: 'abandoned_rate', fmt: pct, higherIsBetter: false },
  { label: 'follow-up', key: 'follow_up_rate', fmt: pct, higherIsBetter: true },
  { label: 'copied', key: 'copied_rate', fmt: pct, higherIsBetter: true },
  {
    label: 'satisfaction index (−1…1)',
    key: 'satisfaction_index',
    fmt: (x) => num(x, 2),
    higherIsBetter: true,
  },
];

/** "▲ +2.1 pts" for rates, "▲ +12.0%" for the rest; marked (worse) when it moved the wrong way. */
export function delta(
  now: number | null,
  before: number | null,
  isRate: boolean,
  higherIsBetter: boolean,
): string {
  if (now === null || before === null) return '-';
  const diff = now - before;
  if (diff === 0) return '= 0';
  const arrow = diff > 0 ? '▲' : '▼';
  const text = isRate
    ? `${diff > 0 ? '+' : ''}${(diff * 100).toFixed(1)} pts`
    : before === 0
      ? 'new'
      : `${diff > 0 ? '+' : ''}${((diff / before) * 100).toFixed(1)}%`;
  const worse = higherIsBetter ? diff < 0 : diff > 0;
  return `${arrow} ${text}${worse ? ' (worse)' : ''}`;
}

function summaryRows(r: WeeklyReport): string[][] {
  return SUMMARY_ROWS.map((row) => {
    const now = r.current[row.key] as number | null;
    const before = r.previous[row.key] as number | null;
    const isRate = row.fmt === pct;
    return [
      row.label,
      row.fmt(now),
      row.fmt(before),
      delta(now, before, isRate, row.higherIsBetter),
    ];
  });
}

function markdownTable(head: string[], rows: (string | number)[][]): string {
  const esc = (v: string | number) => String(v).replace(/\|/g, '\\|');
  return [
    `| ${head.map(esc).join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.map(esc).join(' | ')} |`),
  ].join('\n');
}

export function formatWeeklyReport(r: WeeklyReport, format: 'table' | 'markdown'): string {
  const md = format === 'markdown';
  const tbl = md ? markdownTable : table;
  const h = (text: string) => (md ? `## ${text}` : `${text}\n${'-'.repeat(text.length)}`);
  const errorTypes = Object.entries(r.failures_by_error_type).sort((a, b) => b[1] - a[1]);
  const out = [
    md
      ? `# AgentMon weekly report ${r.project ?? '(every project)'}: ${r.from} → ${r.to}`
      : `AgentMon weekly report ${r.project ?? '(every project)'}: ${r.from} → ${r.to} (vs ${r.previous_from} → ${r.from})`,
    '',
    h('Metric summary (this week vs the previous week)'),
    tbl(['metric', 'this week', 'previous week', 'change'], summaryRows(r)),
    '',
    h('User satisfaction'),
    `Explicit ratings: ${r.current.rating_positive_count + r.current.rating_negative_count} rated traces, coverage ${pct(r.current.rating_coverage)}, positive ${shareWithInterval(r.current.positive_share, r.current.positive_share_low, r.current.positive_share_high)} (95% interval)`,
    `Implicit signals: ${implicitSignals(r.current)}; satisfaction index ${num(r.current.satisfaction_index, 2)} (previous week ${num(r.previous.satisfaction_index, 2)})`,
    ...(r.rating_coverage_note === null
      ? []
      : [md ? `**${r.rating_coverage_note}**` : `! ${r.rating_coverage_note}`]),
    '',
    h(`Failures: ${r.failure_count}`),
    'By operation (errored spans of failed traces):',
    tbl(
      ['operation', 'failed spans', 'traces'],
      r.failures_by_operation.map((o) => [o.operation, o.failed_spans, o.traces]),
    ),
    'By error type (traces):',
    tbl(
      ['error type', 'traces', 'share of traces'],
      errorTypes.map(([type, count]) => [
        type,
        count,
        pct(r.current.trace_count === 0 ? null : count / r.current.trace_count),
      ]),
    ),
    '',
    h('Slices that got worse'),
    r.worsened_slices.length === 0
      ? 'none'
      : tbl(
          ['slice', 'traces (prev)', 'what got worse'],
          r.worsened_slices.map((s) => [
            `${s.dimension}=${s.value}`,
            `${s.trace_count} (${s.previous_trace_count})`,
            s.reasons.join('; '),
          ]),
        ),
    '',
    h('Recommended actions'),
    r.recommendations.length === 0
      ? 'none: every metric is within its threshold'
      : r.recommendations
          .map((a) =>
            md
              ? `- **${a.severity.toUpperCase()}** ${a.action}`
              : `* [${a.severity.toUpperCase()}] ${a.action}`,
          )
          .join('\n'),
    '',
    h(`Traces to review (${r.review_traces.length})`),
    tbl(
      ['trace', 'task type', 'outcome', 'command'],
      r.review_traces.map((t) => [
        t.trace_id,
        t.task_type,
        t.outcome,
        `agentmon traces show ${t.trace_id}`,
      ]),
    ),
  ];
  return `${out.join('\n')}\n`;
}

export function createReportCommand(): Command {
  return new Command('report')
    .description(
      'weekly report: metrics vs the previous week, failures, worse slices, actions, traces to review',
    )
    .option('--weekly', 'the last 7 days against the 7 days before (the only period so far)', true)
    .option('--project <id>', 'only this project (default: every project)')
    .option(
      '--until <when>',
      'end of the week: a duration back from now or an ISO time (default: now)',
    )
    .addOption(
      new Option('--format <format>', 'table, markdown or json')
        .choices(['table', 'markdown', 'json'])
        .default('table'),
    )
    .option('--json', 'same as --format json')
    .action(
      async (options: { project?: string; until?: string; format: string; json?: boolean }) => {
        await withQueries(async ({ config, queries }) => {
          const now = Date.now();
          const align = config.AGGREGATOR_WINDOW_MS;
          const until = options.until === undefined ? now : untilArgument(options.until, now);
          const to = Math.ceil(until / align) * align;
          const week = { from: to - WEEK_MS, to };
          const report = await buildWeeklyReport(queries, options.project, week, {
            thresholds: reportThresholds(config),
            minSliceTraces: config.REPORT_MIN_SLICE_TRACES,
            reviewTraces: config.REPORT_REVIEW_TRACES,
            minRatingCoverage: config.REPORT_MIN_RATING_COVERAGE,
          });
          const format = options.json ? 'json' : options.format;
          process.stdout.write(
            format === 'json'
              ? `${JSON.stringify(report)}\n`
              : formatWeeklyReport(report, format as 'table' | 'markdown'),
          );
        });
      },
    );
}

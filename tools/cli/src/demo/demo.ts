import type { ClickHouseConnection } from '@agentmon/clickhouse';
import { waitFor } from '@agentmon/launcher';
import Table from 'cli-table3';
import { randomBytes } from 'node:crypto';
import { runSimulation, type SimulationPlan } from '../simulate-command';
import { REGRESSED_TASK_TYPE, traceCount, type TrafficOptions } from '../simulate/scenarios';
import type { SlackPost, SlackStandIn } from './slack-stand-in';

/** Windows of the dense stretch; the regression takes the last 30% of them. */
export const DEMO_DENSE_WINDOWS = 20;
const DEMO_INCIDENT_AT = 0.7;
/** Traces per window in the dense stretch: bug_fix (1/8) gets 37, over DETECTOR_MIN_SAMPLES 30. */
const DEMO_TRACES_PER_WINDOW = 300;

/**
 * The demo's traffic, all backfilled: `DEMO_DENSE_WINDOWS` aggregator windows aligned on window
 * boundaries and ending before now — healthy first (the charts warm up over 5 windows), then
 * completion of bug_fix drops 0.9 → 0.6 for the last 30%.
 */
export function demoPlan(now: number, windowMs: number, runId: string, seed = 1): SimulationPlan {
  const start = Math.floor(now / windowMs) * windowMs - DEMO_DENSE_WINDOWS * windowMs;
  const traffic: TrafficOptions = {
    scenario: 'completion-regression',
    startMs: start,
    durationMs: DEMO_DENSE_WINDOWS * windowMs,
    rate: DEMO_TRACES_PER_WINDOW / (windowMs / 1000),
    incidentAt: DEMO_INCIDENT_AT,
    seed,
    runId,
  };
  return { traffic, live: false, traces: traceCount(traffic) };
}

export interface DemoOptions {
  gatewayUrl: string;
  apiKey: string;
  projectId: string;
  windowMs: number;
  clickhouse: ClickHouseConnection;
  /** The local stand-in; undefined when SLACK_WEBHOOK_URL points at real Slack. */
  slack?: SlackStandIn;
  progress: boolean;
  out: (text: string) => void;
  timeoutMs?: number;
}

export interface DemoResult {
  traces: number;
  sendMs: number;
  /** From the end of sending until the alert was recorded (and, locally, posted). */
  pagedAfterMs: number;
  post?: SlackPost;
}

/** Is this Slack payload the demo's page: completion_rate critical on task_type=bug_fix? */
export function isDemoPage(post: SlackPost, projectId: string): boolean {
  const text = post.payload.text ?? '';
  return (
    text.startsWith(`[${projectId}] completion_rate critical`) &&
    text.includes(`task_type=${REGRESSED_TASK_TYPE}`)
  );
}

/** Sends the demo traffic, waits until the regression is paged, prints the summary. */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const dense = demoPlan(Date.now(), options.windowMs, randomBytes(3).toString('hex'));
  const traces = dense.traces;
  options.out(
    `\nDemo (project "${options.projectId}"): ${DEMO_DENSE_WINDOWS} backfilled windows of ` +
      `${options.windowMs / 1000} s at ${DEMO_TRACES_PER_WINDOW} traces each, healthy, then ` +
      `completion of ${REGRESSED_TASK_TYPE} drops 0.9 → 0.6 in the last ${Math.round((1 - DEMO_INCIDENT_AT) * DEMO_DENSE_WINDOWS)} — ` +
      `${traces} traces through the SDK and the gateway.\n`,
  );
  const sendStart = Date.now();
  const result = await runSimulation(dense, {
    gatewayUrl: options.gatewayUrl,
    apiKey: options.apiKey,
    progress: options.progress,
    label: 'demo traffic',
  });
  if (result.dropped > 0) {
    throw new Error(`demo: ${result.dropped} items were dropped on the way to the gateway`);
  }
  const sentAt = Date.now();
  options.out(
    `Sent in ${((sentAt - sendStart) / 1000).toFixed(1)} s; waiting for the detector to page…\n`,
  );
  let post: SlackPost | undefined;
  if (options.slack) {
    post = await options.slack.waitFor((p) => isDemoPage(p, options.projectId), timeoutMs);
    if (!post)
      throw new Error(
        `demo: no page for the ${REGRESSED_TASK_TYPE} regression reached Slack within ${timeoutMs / 1000} s`,
      );
  } else {
    await waitFor(
      'the demo alert in the alert log',
      async () => ((await firingCritical(options)) ? true : undefined),
      { timeoutMs, intervalMs: 500 },
    );
  }
  const pagedAfterMs = Date.now() - sentAt;
  await printSummary(options, dense.traffic);
  options.out(
    `\nThe ${REGRESSED_TASK_TYPE} regression was paged ${(pagedAfterMs / 1000).toFixed(1)} s after the traffic was sent` +
      (options.slack
        ? ' (the message above is what reached the local Slack stand-in).\n'
        : ' (sent to SLACK_WEBHOOK_URL).\n'),
  );
  return { traces, sendMs: sentAt - sendStart, pagedAfterMs, post };
}

async function firingCritical(options: DemoOptions): Promise<boolean> {
  const rows = await options.clickhouse.query<{ c: string }>(
    `SELECT count() AS c FROM {db:Identifier}.alerts
     WHERE project_id = {project:String} AND state = 'firing' AND severity = 'critical'
       AND metric = 'completion_rate' AND slice_dimension = 'task_type' AND slice_value = {slice:String}`,
    { db: options.clickhouse.database, project: options.projectId, slice: REGRESSED_TASK_TYPE },
  );
  return Number(rows[0]?.c) > 0;
}

interface SliceRow {
  slice_value: string;
  period: string;
  traces: string;
  completion_rate: string;
  strong_completion_rate: string;
  p95_ms: string;
  cost_avg_usd: string;
  error_rate: string;
}

/** Overall and per task type, before vs since the incident, from the stored windows. */
async function printSummary(options: DemoOptions, dense: TrafficOptions): Promise<void> {
  const incidentMs = dense.startMs + Math.round(dense.durationMs * dense.incidentAt);
  const rows = await options.clickhouse.query<SliceRow>(
    `SELECT slice_value,
            if(window_start_ms < {incident:UInt64}, 'before', 'since') AS period,
            toString(sum(trace_count)) AS traces,
            toString(sum(completed_count) / sum(trace_count)) AS completion_rate,
            toString(sum(strong_completed_count) / sum(trace_count)) AS strong_completion_rate,
            toString(max(latency_p95_ms)) AS p95_ms,
            toString(sum(cost_total_usd) / sum(trace_count)) AS cost_avg_usd,
            toString(if(sum(tool_call_count) = 0, 0, sum(tool_error_count) / sum(tool_call_count))) AS error_rate
     FROM {db:Identifier}.metric_windows FINAL
     WHERE project_id = {project:String} AND window_size_s = {size:UInt32}
       AND slice_dimension IN ('all', 'task_type')
       AND window_start_ms >= {from:UInt64} AND window_start_ms < {to:UInt64}
     GROUP BY slice_value, period
     ORDER BY slice_value, period`,
    {
      db: options.clickhouse.database,
      project: options.projectId,
      size: Math.round(options.windowMs / 1000),
      incident: incidentMs,
      from: dense.startMs,
      to: dense.startMs + dense.durationMs,
    },
  );
  const table = new Table({
    ...(process.stdout.isTTY ? {} : { style: { head: [], border: [] } }),
    head: [
      'slice',
      'traces',
      'completion',
      'strong compl.',
      'max p95',
      'cost/trace',
      'tool errors',
    ],
  });
  const pct = (v: string) => `${(Number(v) * 100).toFixed(1)}%`;
  const bySlice = new Map<string, Map<string, SliceRow>>();
  for (const row of rows) {
    const key = row.slice_value === '*' ? 'all' : row.slice_value;
    bySlice.set(key, (bySlice.get(key) ?? new Map()).set(row.period, row));
  }
  const worstFirst = [...bySlice.entries()].sort(([a, x], [b, y]) => {
    if (a === 'all') return -1;
    if (b === 'all') return 1;
    return (
      Number(x.get('since')?.completion_rate ?? 1) - Number(y.get('since')?.completion_rate ?? 1) ||
      a.localeCompare(b)
    );
  });
  for (const [slice, periods] of worstFirst) {
    const before = periods.get('before');
    const since = periods.get('since');
    if (!since) continue;
    const arrow = before ? ` (${pct(before.completion_rate)} before)` : '';
    table.push([
      slice === 'all' ? 'overall' : `task_type=${slice}`,
      since.traces,
      `${pct(since.completion_rate)}${arrow}`,
      pct(since.strong_completion_rate),
      `${(Number(since.p95_ms) / 1000).toFixed(1)} s`,
      `$${Number(since.cost_avg_usd).toFixed(4)}`,
      pct(since.error_rate),
    ]);
  }
  const from = new Date(incidentMs).toISOString().slice(11, 16);
  const to = new Date(dense.startMs + dense.durationMs).toISOString().slice(11, 16);
  options.out(
    `\nDashboard: project ${options.projectId}, ${from}–${to} UTC (since the incident), worst first\n${table.toString()}\n`,
  );
}

import type { AnalyticsQueries } from '@agentmon/analytics-queries';
import { waitFor } from '@agentmon/launcher';
import { randomBytes } from 'node:crypto';
import { buildDashboard, formatDashboard } from '../dashboard-command';
import { runSimulation, type SimulationPlan } from '../simulate-command';
import { REGRESSED_TASK_TYPE, traceCount, type TrafficOptions } from '../simulate/scenarios';
import type { SlackPost, SlackStandIn } from './slack-stand-in';

/** Windows of the dense stretch; the regression takes the last 30% of them. */
export const DEMO_DENSE_WINDOWS = 20;
const DEMO_INCIDENT_AT = 0.7;
/** Traces per window in the dense stretch: bug_fix (1/8) gets 37, over DETECTOR_MIN_SAMPLES 30. */
const DEMO_TRACES_PER_WINDOW = 300;
/** The backfilled healthy day before it: sparse (a trace every 30 s), so it loads in seconds. */
export const DEMO_HISTORY_MS = 86_400_000;
const DEMO_HISTORY_RATE = 1 / 30;

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

/**
 * The healthy day before the dense stretch, so the dashboard and `agentmon report --weekly` have
 * a day to show. Its windows hold a handful of traces each, under DETECTOR_MIN_SAMPLES: they are
 * stored and rolled up but do not move the control charts the dense stretch warms up.
 */
export function demoHistoryPlan(dense: SimulationPlan, runId: string, seed = 2): SimulationPlan {
  const traffic: TrafficOptions = {
    scenario: 'healthy',
    startMs: dense.traffic.startMs - DEMO_HISTORY_MS,
    durationMs: DEMO_HISTORY_MS,
    rate: DEMO_HISTORY_RATE,
    incidentAt: 1,
    seed,
    runId: `${runId}h`,
  };
  return { traffic, live: false, traces: traceCount(traffic) };
}

export interface DemoOptions {
  gatewayUrl: string;
  apiKey: string;
  projectId: string;
  windowMs: number;
  /** The CLI's query layer: the dashboard printed is `agentmon dashboard`'s. */
  queries: AnalyticsQueries;
  minRatingCoverage: number;
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
  const runId = randomBytes(3).toString('hex');
  const dense = demoPlan(Date.now(), options.windowMs, runId);
  const history = demoHistoryPlan(dense, runId);
  const traces = history.traces + dense.traces;
  options.out(
    `\nDemo (project "${options.projectId}"): a backfilled healthy day (${history.traces} traces), ` +
      `then ${DEMO_DENSE_WINDOWS} windows of ${options.windowMs / 1000} s at ` +
      `${DEMO_TRACES_PER_WINDOW} traces each, healthy, until completion of ${REGRESSED_TASK_TYPE} ` +
      `drops 0.9 → 0.6 in the last ${Math.round((1 - DEMO_INCIDENT_AT) * DEMO_DENSE_WINDOWS)} — ` +
      `${traces} traces through the SDK and the gateway.\n`,
  );
  const sendStart = Date.now();
  for (const [plan, label] of [
    [history, 'demo: healthy day'],
    [dense, 'demo: regression'],
  ] as const) {
    const result = await runSimulation(plan, {
      gatewayUrl: options.gatewayUrl,
      apiKey: options.apiKey,
      progress: options.progress,
      label,
    });
    if (result.dropped > 0) {
      throw new Error(`demo: ${result.dropped} items were dropped on the way to the gateway`);
    }
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
  // The delivery is journaled just after the POST: let the dashboard show it as delivered.
  await waitFor(
    'the page recorded as delivered',
    async () =>
      (await options.queries.openAlerts({ project: options.projectId }, 100)).some(
        (alert) => isDemoAlert(alert) && alert.delivery_status !== '',
      ) || undefined,
    { timeoutMs: 15_000, intervalMs: 250 },
  ).catch(() => undefined);
  await printDashboard(options, dense.traffic);
  options.out(
    `\nThe ${REGRESSED_TASK_TYPE} regression was paged ${(pagedAfterMs / 1000).toFixed(1)} s after the traffic was sent` +
      (options.slack
        ? ' (the message above is what reached the local Slack stand-in).\n'
        : ' (sent to SLACK_WEBHOOK_URL).\n') +
      `More: npx agentmon dashboard --project ${options.projectId} --since 25h · ` +
      `npx agentmon report --weekly --project ${options.projectId} · npx agentmon alerts\n`,
  );
  return { traces, sendMs: sentAt - sendStart, pagedAfterMs, post };
}

async function firingCritical(options: DemoOptions): Promise<boolean> {
  const open = await options.queries.openAlerts({ project: options.projectId }, 100);
  return open.some((alert) => isDemoAlert(alert));
}

/** The alert the demo is waiting for: completion_rate critical on task_type=bug_fix. */
export function isDemoAlert(alert: {
  severity: string;
  metric: string;
  slice_dimension: string;
  slice_value: string;
}): boolean {
  return (
    alert.severity === 'critical' &&
    alert.metric === 'completion_rate' &&
    alert.slice_dimension === 'task_type' &&
    alert.slice_value === REGRESSED_TASK_TYPE
  );
}

/** `agentmon dashboard` over the stretch since the incident: the regressed slice comes first. */
async function printDashboard(options: DemoOptions, dense: TrafficOptions): Promise<void> {
  const incidentMs = dense.startMs + Math.round(dense.durationMs * dense.incidentAt);
  const range = { from: incidentMs, to: dense.startMs + dense.durationMs };
  const dashboard = await buildDashboard(options.queries, options.projectId, range, {
    failures: 5,
    alerts: 10,
    minSliceTraces: 1,
  });
  options.out(
    `\nDashboard since the incident (npx agentmon dashboard --project ${options.projectId} ` +
      `--since ${new Date(range.from).toISOString()} --until ${new Date(range.to).toISOString()}):\n` +
      formatDashboard(dashboard, { maxSlices: 8, minRatingCoverage: options.minRatingCoverage }),
  );
}

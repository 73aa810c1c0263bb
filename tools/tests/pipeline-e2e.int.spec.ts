import { waitFor } from '@agentmon/launcher';
import { isDemoPage } from '../cli/src/demo/demo';
import { generateTraffic, REGRESSED_TASK_TYPE, traceCount } from '../cli/src/simulate/scenarios';
import { sendTraffic } from '../cli/src/simulate/send-traffic';
import { startPipelineStack, type PipelineStack } from './pipeline-stack';

const WINDOW_MS = 10_000;
const WINDOWS = 12;
/** 8 healthy windows (5 warm up the charts), then 4 where bug_fix completion drops 0.9 → 0.6. */
const INCIDENT_AT = 8 / WINDOWS;
/** 300 traces a window: bug_fix (1/8) gets 37, over DETECTOR_MIN_SAMPLES (30). */
const RATE = 300 / (WINDOW_MS / 1000);

/**
 * The whole pipeline as real processes (gateway → sessionizer → aggregator → detector →
 * notifier) on the integration broker, Redis and ClickHouse, with a local HTTP server as Slack:
 * the completion-regression scenario, backfilled, through the SDK.
 */
describe('whole pipeline: a completion regression in one task type', () => {
  let stack: PipelineStack;
  let id: string;
  let project: string;
  let urls: Record<string, string>;
  let slack: PipelineStack['slack'];
  const query = <Row>(sql: string, params: Record<string, unknown> = {}) =>
    stack.query<Row>(sql, params);

  beforeAll(async () => {
    stack = await startPipelineStack({ prefix: 'e2e', windowMs: WINDOW_MS });
    ({ id, project, urls, slack } = stack);
  }, 150_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  /** What each stage produced for the project, for a failure message. */
  async function diagnose(): Promise<string> {
    const windows = await query<Record<string, string>>(
      `SELECT window_start_ms, slice_value, trace_count, round(completion_rate, 3) AS completion, revision
       FROM {db:Identifier}.metric_windows FINAL
       WHERE project_id = {project:String} AND window_size_s = {size:UInt32}
         AND (slice_dimension = 'all' OR slice_value = {slice:String})
       ORDER BY window_start_ms, slice_value`,
      { size: WINDOW_MS / 1000, slice: REGRESSED_TASK_TYPE },
    );
    const alerts = await query<Record<string, string>>(
      `SELECT state, severity, metric, slice_dimension, slice_value, message
       FROM {db:Identifier}.alerts FINAL WHERE project_id = {project:String}`,
    );
    const detector = (await (await fetch(`${urls.detector}/metrics`)).text())
      .split('\n')
      .filter((line) => line.startsWith('agentmon_detector_points_total'));
    return JSON.stringify(
      { windows, alerts, detector, posts: slack.posts.map((p) => p.payload.text) },
      null,
      1,
    );
  }

  it('pages critical completion_rate on task_type=bug_fix once, nothing else, every trace stored once', async () => {
    const now = Date.now();
    const traffic = {
      scenario: 'completion-regression' as const,
      startMs: Math.floor(now / WINDOW_MS) * WINDOW_MS - WINDOWS * WINDOW_MS,
      durationMs: WINDOWS * WINDOW_MS,
      rate: RATE,
      incidentAt: INCIDENT_AT,
      seed: 3,
      runId: id.slice(0, 6),
    };
    const sent = traceCount(traffic);
    expect(sent).toBe(3600);
    const result = await sendTraffic(generateTraffic(traffic), {
      gatewayUrl: urls.gateway!,
      apiKey: stack.apiKey,
      live: false,
    });
    expect(result).toMatchObject({ traces: sent, dropped: 0, rejected: 0 });

    const page = await slack.waitFor((post) => isDemoPage(post, project), 120_000);
    if (!page)
      throw new Error(`no page reached Slack; what the pipeline did:\n${await diagnose()}`);

    // Every trace summary stored exactly once.
    await waitFor(
      `${sent} trace summaries`,
      async () => {
        const [row] = await query<{ c: string }>(
          'SELECT count() AS c FROM {db:Identifier}.trace_summaries FINAL WHERE project_id = {project:String}',
        );
        return Number(row.c) === sent ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const [dupes] = await query<{ c: string }>(
      `SELECT count() AS c FROM (SELECT trace_id FROM {db:Identifier}.trace_summaries FINAL
        WHERE project_id = {project:String} GROUP BY trace_id HAVING count() > 1)`,
    );
    expect(Number(dupes.c)).toBe(0);

    // Settled: every window closed and merged, and every alert the detector raised has a final
    // notifier decision, unchanged over three polls.
    await waitFor(
      `${WINDOWS} overall windows`,
      async () => {
        const [row] = await query<{ c: string }>(
          `SELECT count() AS c FROM {db:Identifier}.metric_windows FINAL
           WHERE project_id = {project:String} AND window_size_s = {size:UInt32} AND slice_dimension = 'all'`,
          { size: WINDOW_MS / 1000 },
        );
        return Number(row.c) === WINDOWS ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    let previous = '';
    let stable = 0;
    await waitFor(
      'every alert decided',
      async () => {
        const [row] = await query<{ alerts: string; undecided: string }>(
          `SELECT toString(groupArray(alert_id)) AS alerts,
                  toString(countIf(alert_id NOT IN (
                    SELECT alert_id FROM {db:Identifier}.notifier_decisions
                    WHERE project_id = {project:String}
                      AND reason IN ('sent', 'cooldown', 'inhibited', 'silenced', 'resolved_before_send', 'superseded', 'resolve_not_sent')
                  ))) AS undecided
           FROM (SELECT alert_id FROM {db:Identifier}.alerts FINAL WHERE project_id = {project:String} ORDER BY alert_id)`,
        );
        stable = row.undecided === '0' && row.alerts === previous ? stable + 1 : 0;
        previous = row.alerts;
        return stable >= 3 ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1000 },
    );

    // Only the regressed slice alerted; healthy task types, the overall series and every other
    // dimension raised nothing.
    const alerts = await query<{
      metric: string;
      severity: string;
      state: string;
      dim: string;
      value: string;
    }>(
      `SELECT metric, severity, state, slice_dimension AS dim, slice_value AS value
       FROM {db:Identifier}.alerts FINAL WHERE project_id = {project:String}`,
    );
    expect(alerts.length).toBeGreaterThan(0);
    expect(
      alerts.filter((a) => !(a.dim === 'task_type' && a.value === REGRESSED_TASK_TYPE)),
    ).toEqual([]);
    expect(alerts).toContainEqual(
      expect.objectContaining({ metric: 'completion_rate', severity: 'critical', state: 'firing' }),
    );

    // The critical completion page reached Slack exactly once (a second critical detector on the
    // same metric and slice, if any, was held back by the cooldown).
    const posts = slack.posts.filter((post) => post.raw.includes(project));
    expect(posts.filter((post) => isDemoPage(post, project))).toHaveLength(1);
    for (const post of posts)
      expect(post.payload.text).toContain(`task_type=${REGRESSED_TASK_TYPE}`);
    const sentDecisions = await query<{ c: string }>(
      `SELECT count() AS c FROM {db:Identifier}.notifier_decisions
       WHERE project_id = {project:String} AND reason = 'sent' AND metric = 'completion_rate'
         AND severity = 'critical' AND state = 'firing'`,
    );
    expect(Number(sentDecisions[0].c)).toBeGreaterThanOrEqual(1);
  }, 240_000);
});

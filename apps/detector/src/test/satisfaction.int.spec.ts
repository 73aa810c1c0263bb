import {
  ALL_SLICE_VALUE,
  Topics,
  type Alert,
  type MetricWindow,
  type TraceSummary,
} from '@agentmon/contracts';
import { TopicProducer } from '@agentmon/kafka';
import { AppProcess } from '@agentmon/launcher';
import { makeTraceSummary } from '@agentmon/testing';
import { randomUUID } from 'node:crypto';
import { DetectorHarness, MINUTE } from './detector-harness';

const WINDOWS = 11;
/** Windows before corrections double in `support` (the detector's default warm-up is 5). */
const CHANGE_AT = 5;
const PER_SLICE = 60;

/**
 * Per minute window and task type, 60 summaries: 90 % completed throughout, 30 % copied, 3
 * rated; corrections 10 % (6 of 60), doubling to 20 % in `support` from window 5 on (the agent
 * answers, users fix it). Accepted = not corrected; strong completion = completed and not
 * corrected, as the sessionizer derives it.
 */
function scenario(project: string, t0: number): TraceSummary[] {
  const traces: TraceSummary[] = [];
  for (let w = 0; w < WINDOWS; w++) {
    for (const [k, taskType] of ['support', 'code'].entries()) {
      for (let i = 0; i < PER_SLICE; i++) {
        const ended_at = t0 + w * MINUTE + 1_000 + i * 900 + k * 400;
        const corrections = taskType === 'support' && w >= CHANGE_AT ? 12 : 6;
        const corrected = i < corrections;
        const completed = i >= 3 && i < 57;
        traces.push(
          makeTraceSummary({
            trace_id: `${project}-${w}-${taskType}-${i}`,
            project_id: project,
            started_at: ended_at - 2_000,
            ended_at,
            closed_at: ended_at + 500,
            task_type: taskType,
            completed,
            weak_completion: completed,
            final_output: completed ? 'Done.' : null,
            strong_completion: completed && !corrected,
            corrected,
            accepted: !corrected,
            output_copied: i % 10 >= 7,
            rating: i % 20 === 10 ? 'positive' : 'none',
          }),
        );
      }
    }
  }
  return traces.sort((a, b) => a.ended_at - b.ended_at);
}

/**
 * The end-to-end satisfaction scenario (issue 15) through the real aggregator and detector
 * processes: trace summaries on the traces topic → windows on the metrics topic → alerts.
 */
describe('satisfaction: corrections double in one task type while completion stays flat', () => {
  const harness = new DetectorHarness();
  const aggregatorGroup = `aggregator-it-${randomUUID()}`;
  let producer: TopicProducer;
  let partitions = 3;

  beforeAll(async () => {
    await harness.setUp();
    producer = await TopicProducer.connect(harness.kafka);
    const admin = harness.kafka.admin();
    await admin.connect();
    const metadata = await admin.fetchTopicMetadata({ topics: [Topics.traces] });
    partitions = metadata.topics[0]!.partitions.length;
    await admin.disconnect();
  });
  afterAll(async () => {
    await producer?.disconnect();
    await harness.tearDown();
  });

  it('alerts on support corrected_rate and never on completion', async () => {
    const project = `sat-${randomUUID()}`;
    // Backfilled: two hours ago, so the windows close on the watermark, not on the clock.
    const t0 = Math.floor((Date.now() - 2 * 60 * MINUTE) / MINUTE) * MINUTE;
    const detector = harness.startDetector();
    const aggregator = AppProcess.start('aggregator', {
      AGGREGATOR_PORT: '0',
      CLICKHOUSE_DATABASE: harness.database,
      AGGREGATOR_GROUP_ID: aggregatorGroup,
      AGGREGATOR_WINDOW_MS: String(MINUTE),
      AGGREGATOR_TICK_MS: '100',
      // Long enough that no partition counts as idle (passed) while the backfill is consumed:
      // a window merged early is re-emitted at a higher revision, which the detector ignores
      // once it has charted a later window (README "Idempotency": stale).
      AGGREGATOR_IDLE_CLOSE_MS: '15000',
      // The shared traces topic holds other suites' live traces, so the watermark is near now
      // and this backfill (2 h old) would arrive late: every window then comes as revisions,
      // merged piecewise, and the detector charts a partial one. Three hours of lateness keep
      // it on time: each window closes whole (on idle) and is merged once, in order.
      AGGREGATOR_ALLOWED_LATENESS_MS: String(3 * 60 * MINUTE),
      AGGREGATOR_SESSION_TIMEOUT_MS: '6000',
      AGGREGATOR_MERGE_LEASE_MS: '5000',
      KAFKA_TOPIC_PARTITIONS: String(partitions),
      LOG_LEVEL: 'info',
    });
    try {
      // Generous: the start is not what is tested, and a shared machine can be slow. Ready,
      // not only listening: both own their partitions before the first trace, so no partition
      // of the aggregator's merge frontier goes unreported long enough to count as idle (that
      // merges a window early, and the detector ignores the later revision once it charted a
      // newer window).
      await detector.ready(90_000);
      await aggregator.ready(90_000);
      const traces = scenario(project, t0);
      await producer.publish(Topics.traces, traces);

      // Every window of the support slice and overall reaches the metrics topic whole, with its
      // satisfaction fields. A window merged early under load (a partition taken as idle) comes
      // again at a higher revision: wait for the revision that holds every trace.
      const published = await harness.readTopic(Topics.metrics, (seen) =>
        (
          [
            ['task_type', 'support', PER_SLICE],
            ['all', ALL_SLICE_VALUE, 2 * PER_SLICE],
          ] as const
        ).every(([dimension, value, traces]) => {
          const windows = latest(seen, project, dimension, value);
          return windows.length === WINDOWS && windows.every((w) => w.trace_count === traces);
        }),
      );
      const support = latest(published, project, 'task_type', 'support');
      expect(support.map((w) => w.completion_rate)).toEqual(Array(WINDOWS).fill(0.9));
      expect(support.map((w) => w.corrected_rate)).toEqual(
        Array.from({ length: WINDOWS }, (_, w) => (w < CHANGE_AT ? 0.1 : 0.2)),
      );
      expect(support[0]).toMatchObject({
        rating_coverage: 3 / 60,
        positive_share: 1,
        copied_rate: 0.3,
        accepted_rate: 0.9,
      });
      // 3 of 3 positive reads as [0.44, 1], not 100 %.
      expect(support[0]!.positive_share_low).toBeCloseTo(0.4385, 4);
      // (18 + 0.5·54 − 6) / (18 + 27 + 6) before; (18 + 24 − 12) / (18 + 24 + 12) after.
      expect(support[0]!.satisfaction_index).toBeCloseTo(39 / 51, 12);
      expect(support[WINDOWS - 1]!.satisfaction_index).toBeCloseTo(30 / 54, 12);

      // Stored in metric_windows: minute rows and the hourly rollup, sums next to the rates.
      const stored = await harness.clickhouse.query<{
        window_size_s: number;
        traces: string;
        corrected: string;
        rated: string;
        index_first: number;
      }>(
        `SELECT window_size_s, sum(trace_count) AS traces, sum(corrected_count) AS corrected,
                sum(rating_positive_count + rating_negative_count) AS rated,
                argMin(satisfaction_index, window_start_ms) AS index_first
         FROM {db:Identifier}.metric_windows FINAL
         WHERE project_id = {p:String} AND slice_dimension = 'task_type'
           AND slice_value = 'support'
         GROUP BY window_size_s ORDER BY window_size_s`,
        { db: harness.database, p: project },
      );
      const corrections = CHANGE_AT * 6 + (WINDOWS - CHANGE_AT) * 12;
      expect(
        stored.map((r) => [
          r.window_size_s,
          Number(r.traces),
          Number(r.corrected),
          Number(r.rated),
        ]),
      ).toEqual([
        [60, WINDOWS * PER_SLICE, corrections, WINDOWS * 3],
        [3600, WINDOWS * PER_SLICE, corrections, WINDOWS * 3],
        [86400, WINDOWS * PER_SLICE, corrections, WINDOWS * 3],
      ]);
      expect(stored[0]!.index_first).toBeCloseTo(39 / 51, 12);

      // Alerts: the support slice's corrected_rate fires.
      const alerts = await harness.topicAlerts(project, (mine) =>
        mine.some((a) => isSupport(a) && a.metric === 'corrected_rate' && a.state === 'firing'),
      );
      const corrected = alerts.find((a) => isSupport(a) && a.metric === 'corrected_rate')!;
      expect(corrected).toMatchObject({ state: 'firing', severity: 'warning' });
      expect(corrected.baseline).toBeCloseTo(0.1, 12);
      // λ 0.2: the EWMA passes 1.5 × 0.1 on the 4th window after the change.
      expect(corrected.window_start).toBe(t0 + (CHANGE_AT + 3) * MINUTE);

      // Once the detector has consumed every window, nothing fired on completion, anywhere,
      // and nothing on the code slice's corrections.
      await waitForDetectorCaughtUp(harness);
      const logged = await harness.clickhouse.query<{
        metric: string;
        slice_value: string;
        state: string;
      }>(
        `SELECT metric, slice_value, state FROM {db:Identifier}.alerts FINAL
         WHERE project_id = {p:String} ORDER BY occurred_at_ms, metric`,
        { db: harness.database, p: project },
      );
      expect(logged.some((a) => a.metric === 'corrected_rate' && a.slice_value === 'support')).toBe(
        true,
      );
      expect(logged.filter((a) => a.metric === 'completion_rate')).toEqual([]);
      expect(logged.filter((a) => a.slice_value === 'code')).toEqual([]);
      // On support: the corrections, the implicit index they pull down, and strong completion
      // (completed, not corrected: DESIGN's definition) — nothing else.
      const supportMetrics = new Set(
        logged.filter((a) => a.slice_value === 'support').map((a) => a.metric),
      );
      expect(supportMetrics.has('satisfaction_index')).toBe(true);
      expect(
        [...supportMetrics].every((m) =>
          ['corrected_rate', 'satisfaction_index', 'strong_completion_rate'].includes(m),
        ),
      ).toBe(true);
      const overall = latest(published, project, 'all', ALL_SLICE_VALUE);
      expect(overall.map((w) => w.completion_rate)).toEqual(Array(WINDOWS).fill(0.9));
    } finally {
      await aggregator.stop(15000);
      await detector.stop(15000);
    }
  }, 300_000);

  function isSupport(a: Alert): boolean {
    return a.slice.dimension === 'task_type' && a.slice.value === 'support';
  }

  /** The highest revision of each window of one series, by window_start. */
  function latest(
    windows: readonly MetricWindow[],
    project: string,
    dimension: string,
    value: string,
  ): MetricWindow[] {
    const byStart = new Map<number, MetricWindow>();
    for (const w of windows) {
      if (w.project_id !== project || w.slice.dimension !== dimension || w.slice.value !== value)
        continue;
      const seen = byStart.get(w.window_start);
      if (!seen || seen.revision < w.revision) byStart.set(w.window_start, w);
    }
    return [...byStart.values()].sort((a, b) => a.window_start - b.window_start);
  }

  /** The detector's committed offsets reach the metrics topic's end (its alerts are written). */
  async function waitForDetectorCaughtUp(h: DetectorHarness): Promise<void> {
    const admin = h.kafka.admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(Topics.metrics);
      await h.waitFor(
        'detector caught up on the metrics topic',
        async () => {
          const [committed] = await admin.fetchOffsets({
            groupId: h.groupId,
            topics: [Topics.metrics],
          });
          const done = ends.every((end) => {
            const c = committed?.partitions.find((p) => p.partition === end.partition);
            // A partition that never held a record has nothing to commit.
            return end.high === end.low || Number(c?.offset ?? -1) >= Number(end.high);
          });
          return done ? true : undefined;
        },
        90_000,
      );
    } finally {
      await admin.disconnect();
    }
  }
});

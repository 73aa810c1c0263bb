import { AlertSchema, type MetricWindow } from '@agentmon/contracts';
import { DetectorEngine } from '@agentmon/detector-domain';
import { RetryPolicy, StageRunner } from '@agentmon/stream-runtime';
import { makeMetricWindow } from '@agentmon/testing';
import { InMemorySinks } from '../test/in-memory-sinks';
import { DetectorEvents, DetectorStage } from './detector.stage';

const fastRetry = new RetryPolicy({ initialDelayMs: 1, maxDelayMs: 2, maxAttempts: Infinity });
const T0 = Date.UTC(2024, 2, 4);
const MINUTE = 60_000;

function window(i: number, completion: number, extra: Partial<MetricWindow> = {}): MetricWindow {
  const completed = Math.round(completion * 100);
  return makeMetricWindow({
    project_id: 'proj-stage',
    window_start: T0 + i * MINUTE,
    trace_count: 100,
    completed_count: completed,
    strong_completed_count: Math.min(80, completed),
    completion_rate: completion,
    strong_completion_rate: Math.min(0.8, completion),
    completion_gap: completion - Math.min(0.8, completion),
    ...extra,
  });
}

function setup() {
  const sinks = new InMemorySinks();
  const counted = { points: 0, alerts: 0, resets: 0 };
  const events: DetectorEvents = {
    pointsApplied: (o) => void (counted.points += o.applied + o.replaced),
    alertsEmitted: (a) => void (counted.alerts += a.length),
    resetsApplied: (n) => void (counted.resets += n),
  };
  const engine = new DetectorEngine({ settings: { warmupWindows: 3 }, mixSource: 'overall' });
  const stage = new DetectorStage(engine, sinks, events);
  const commits: string[] = [];
  const runner = new StageRunner(
    stage,
    {
      commit: async (_p, offset) => void commits.push(offset),
      publishDeadLetters: async () => undefined,
      heartbeat: async () => undefined,
    },
    fastRetry,
  );
  let offset = 0;
  const batch = (windows: MetricWindow[]) => ({
    partition: 0,
    records: windows.map((value) => ({ offset: String(offset++), key: null, timestamp: 0, value })),
  });
  return { sinks, runner, batch, commits, counted, stage };
}

/** Three warm-up windows at 0.9, then a 20-point drop: a critical chart and fast-page alert. */
const series = [0, 1, 2].map((i) => window(i, 0.9)).concat([3, 4, 5].map((i) => window(i, 0.7)));

describe('DetectorStage on the stage runtime', () => {
  it('publishes and records schema-valid alerts and commits past the windows', async () => {
    const { sinks, runner, batch, commits, counted } = setup();
    await runner.handle(batch(series));
    expect(sinks.published.length).toBeGreaterThan(0);
    for (const alert of sinks.published) expect(() => AlertSchema.parse(alert)).not.toThrow();
    // EWMA from 0.9 at λ = 0.2: 0.86 (inside), 0.828 (warning), 0.8024 (critical).
    expect(sinks.published.map((a) => [a.metric, a.state, a.severity])).toEqual([
      ['completion_rate', 'firing', 'warning'],
      ['completion_rate', 'firing', 'critical'],
    ]);
    expect([...sinks.logged.keys()].sort()).toEqual(sinks.published.map((a) => a.alert_id).sort());
    expect(commits.at(-1)).toBe(String(series.length));
    expect(counted).toMatchObject({ points: series.length, alerts: sinks.published.length });
  });

  it('gives the same alerts whether windows come one per cycle or all at once', async () => {
    const all = setup();
    await all.runner.handle(all.batch(series));
    const one = setup();
    for (const w of series) await one.runner.handle(one.batch([w]));
    expect(one.sinks.published).toEqual(all.sinks.published);
    expect(one.sinks.states).toEqual(all.sinks.states);
  });

  it('a replay of the topic changes nothing: no alert, the same state', async () => {
    const { sinks, runner, batch } = setup();
    await runner.handle(batch(series));
    const published = sinks.published.length;
    const states = new Map(sinks.states);
    await runner.handle(batch(series));
    expect(sinks.published).toHaveLength(published);
    expect(sinks.states).toEqual(states);
  });

  it('a crash between publication and the state write replays into identical alerts and state', async () => {
    const reference = setup();
    await reference.runner.handle(reference.batch(series));
    const { sinks, runner, batch } = setup();
    sinks.failSaves = 1;
    await runner.handle(batch(series));
    const ids = sinks.published.map((a) => a.alert_id);
    // Published twice (at-least-once), with the same ids; the alert log holds each once.
    expect(ids).toEqual([
      ...reference.sinks.published.map((a) => a.alert_id),
      ...reference.sinks.published.map((a) => a.alert_id),
    ]);
    expect([...sinks.logged.keys()].sort()).toEqual([...reference.sinks.logged.keys()].sort());
    expect(sinks.states).toEqual(reference.sinks.states);
  });

  it('applies a logged baseline reset from the next window and resolves what fired', async () => {
    const { sinks, runner, batch, counted } = setup();
    await runner.handle(batch(series));
    sinks.addReset({ from: T0 + 6 * MINUTE, projectId: 'proj-stage', metric: 'completion_rate' });
    await runner.handle(batch([window(6, 0.7)]));
    const resolved = sinks.published.filter(
      (a) => a.state === 'resolved' && a.metric === 'completion_rate',
    );
    expect(resolved.map((a) => a.message)).toEqual(
      expect.arrayContaining([expect.stringContaining('baseline reset')]),
    );
    expect(counted.resets).toBe(1);
    // Warm-up again at the new level: no alert for completion_rate while it stays there.
    const before = sinks.published.length;
    await runner.handle(batch([7, 8, 9, 10].map((i) => window(i, 0.7))));
    expect(sinks.published.slice(before).filter((a) => a.metric === 'completion_rate')).toEqual([]);
  });

  it('an unreadable stored state is dropped and the series warms up again', async () => {
    const { sinks, runner, batch } = setup();
    await runner.handle(batch(series.slice(0, 3)));
    for (const key of sinks.states.keys()) sinks.states.set(key, '{not json');
    // A restarted detector (no cache) reads the damaged state.
    const restarted = setup();
    for (const [key, value] of sinks.states) restarted.sinks.states.set(key, value);
    await restarted.runner.handle(restarted.batch(series.slice(3)));
    expect(restarted.sinks.published).toEqual([]);
  });

  it('keeps at most maxCachedSeries states in memory and reads the rest from the sinks', async () => {
    const sinks = new InMemorySinks();
    const quiet: DetectorEvents = {
      pointsApplied: () => undefined,
      alertsEmitted: () => undefined,
      resetsApplied: () => undefined,
    };
    const stage = new DetectorStage(
      new DetectorEngine({ settings: { warmupWindows: 3 } }),
      sinks,
      quiet,
      2,
    );
    const many = Array.from({ length: 5 }, (_, p) =>
      series.map((w) => ({ ...w, project_id: `proj-${p}` })),
    );
    let offset = 0;
    for (let i = 0; i < series.length; i++) {
      const records = many.map((s) => ({
        offset: String(offset++),
        key: null,
        timestamp: 0,
        value: s[i],
      }));
      stage.ingest({ partition: 0, records });
      await stage.write(stage.takeOutput());
      expect(stage.cachedSeries).toBeLessThanOrEqual(2);
    }
    // Every project alerts the same way as the single-series run.
    const reference = setup();
    await reference.runner.handle(reference.batch(series));
    expect(sinks.published.filter((a) => a.project_id === 'proj-4').map((a) => a.severity)).toEqual(
      reference.sinks.published.map((a) => a.severity),
    );
    stage.revokePartition(0);
    expect(stage.cachedSeries).toBe(0);
  });

  it('forgets the pending windows of a revoked partition', () => {
    const { stage, batch } = setup();
    stage.ingest(batch(series));
    stage.revokePartition(0);
    expect(stage.takeOutput()).toEqual([]);
    expect(stage.committableOffset(0)).toBeNull();
  });
});

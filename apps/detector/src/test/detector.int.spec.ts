import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Topics, type Alert, type AlertSeverity, type MetricWindow } from '@agentmon/contracts';
import { stepTrack, type AlertTrack } from '@agentmon/detector-domain';
import { randomUUID } from 'node:crypto';
import { DetectorHarness, overallWindow } from './detector-harness';

const ROOT = join(__dirname, '..', '..', '..', '..');
/** Charts only (the fast page would share completion_rate with its chart in the replay output). */
const RULES = JSON.stringify({ fast_page: { enabled: false } });

interface Change {
  ts: string;
  slice: string;
  metric: string;
  severity: AlertSeverity;
  state: 'firing' | 'resolved';
}

/**
 * The series: warm-up at 0.90, a completion drop to 0.75 (warning, then critical), recovery
 * (resolved), a latency p95 spike to 2.5× (critical), recovery.
 */
function scenario(project: string, t0: number): MetricWindow[] {
  return Array.from({ length: 60 }, (_, i) => {
    const completion = i >= 5 && i < 15 ? 0.75 : 0.9;
    const latency = i >= 30 && i < 38 ? 37_500 : 15_000;
    return overallWindow(project, t0, i, completion, latency);
  });
}

/** `agentmon detect --replay` as a user runs it, on the same windows as JSON lines. */
function replayFindings(harness: DetectorHarness, windows: readonly MetricWindow[]) {
  const lines = windows.map((w) =>
    JSON.stringify({
      ts: new Date(w.window_start).toISOString(),
      slice: 'all',
      completion_rate: w.completion_rate,
      strong_completion_rate: w.strong_completion_rate,
      latency_p95_ms: w.latency_p95_ms,
      error_rate: w.error_rate,
      cost_avg_usd: w.cost_avg_usd,
      trace_count: w.trace_count,
    }),
  );
  const out = execFileSync(
    process.execPath,
    [
      '-r',
      join(ROOT, 'tools/register.js'),
      join(ROOT, 'tools/cli/src/main.ts'),
      'detect',
      '--replay',
      harness.file('series.jsonl', `${lines.join('\n')}\n`),
      '--rules',
      harness.file('rules.json', RULES),
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  return out
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map(
      (l) =>
        JSON.parse(l) as { ts: string; slice: string; metric: string; severity: AlertSeverity },
    );
}

/** The state changes the replay's per-point findings imply, through the engine's own stepTrack. */
function changesFromFindings(
  windows: readonly MetricWindow[],
  findings: ReturnType<typeof replayFindings>,
  metrics: readonly string[],
): Change[] {
  const tracks = new Map<string, AlertTrack>(metrics.map((m) => [m, { severity: null, calm: 0 }]));
  const changes: Change[] = [];
  for (const w of windows) {
    const ts = new Date(w.window_start).toISOString();
    for (const metric of metrics) {
      const found = findings.find((f) => f.ts === ts && f.metric === metric);
      const change = stepTrack(tracks.get(metric)!, found?.severity ?? null, 2);
      if (change) changes.push({ ts, slice: 'all', metric, ...change });
    }
  }
  return changes;
}

function changesOf(alerts: readonly Alert[]): Change[] {
  return alerts.map((a) => ({
    ts: new Date(a.window_start).toISOString(),
    slice: a.slice.dimension === 'all' ? 'all' : `${a.slice.dimension}=${a.slice.value}`,
    metric: a.metric,
    severity: a.severity,
    state: a.state,
  }));
}

const byTime = (a: Change, b: Change) =>
  a.ts.localeCompare(b.ts) || a.metric.localeCompare(b.metric) || a.state.localeCompare(b.state);

describe('detector against the real broker, Redis and ClickHouse', () => {
  const harness = new DetectorHarness();
  const t0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 3_600_000;

  beforeAll(() => harness.setUp());
  afterAll(() => harness.tearDown());

  it('survives SIGKILL mid-stream: every alert once in ClickHouse, the same changes as detect --replay', async () => {
    const project = `p-${randomUUID().slice(0, 12)}`;
    const windows = scenario(project, t0);
    const rulesFile = harness.file('live-rules.json', RULES);
    const metrics = [
      'completion_rate',
      'strong_completion_rate',
      'latency_p95_ms',
      'error_rate',
      'cost_avg_usd',
    ];
    const expected = changesFromFindings(windows, replayFindings(harness, windows), metrics).sort(
      byTime,
    );
    // The scenario exercises firing, escalation, de-escalation and resolve on two metrics.
    expect(new Set(expected.map((c) => `${c.metric}:${c.state}:${c.severity}`))).toEqual(
      new Set([
        'completion_rate:firing:warning',
        'completion_rate:firing:critical',
        'completion_rate:resolved:warning',
        'latency_p95_ms:firing:warning',
        'latency_p95_ms:firing:critical',
        'latency_p95_ms:resolved:warning',
      ]),
    );

    const first = harness.startDetector({ DETECTOR_RULES_FILE: rulesFile });
    await first.url();
    await harness.produceWindows(windows.slice(0, 12));
    await harness.waitFor('the first alerts in ClickHouse', async () =>
      (await harness.alertRows(project)).length > 0 ? true : undefined,
    );
    // Keep producing while the detector dies; a topic replay (the same records again) too.
    const producing = harness.produceWindows(windows.slice(12, 40));
    first.kill('SIGKILL');
    expect(await first.exitCode()).toBeNull();
    await producing;
    await harness.produceWindows([...windows.slice(8, 20), ...windows.slice(40)]);
    const second = harness.startDetector({ DETECTOR_RULES_FILE: rulesFile });
    try {
      await second.url();
      const rows = await harness.waitFor('every expected alert in ClickHouse', async () => {
        const found = await harness.alertRows(project);
        return found.length >= expected.length ? found : undefined;
      });
      expect(rows).toHaveLength(expected.length);
      expect(rows.every((r) => Number(r.rows) === 1)).toBe(true);

      const published = await harness.topicAlerts(
        project,
        (mine) => new Set(mine.map((a) => a.alert_id)).size >= expected.length,
      );
      const unique = [...new Map(published.map((a) => [a.alert_id, a])).values()];
      expect(new Set(unique.map((a) => a.alert_id))).toEqual(new Set(rows.map((r) => r.alert_id)));
      // A change published again after the kill is the same record (same id, same content).
      for (const a of published) expect(a).toEqual(unique.find((u) => u.alert_id === a.alert_id));
      expect(changesOf(unique).sort(byTime)).toEqual(expected);
    } finally {
      await second.stop(15000);
    }
  });

  it('sends a record that breaks its contract to the dead-letter topic with the reason', async () => {
    const detector = harness.startDetector();
    try {
      await detector.url();
      const key = `bad-${randomUUID()}`;
      await harness.produceRaw(
        Topics.metrics,
        key,
        JSON.stringify({ project_id: 'p', trace_count: -1 }),
      );
      const letters = await harness.readTopic(Topics.deadLetter, (seen) =>
        seen.some((l) => l.key === key),
      );
      expect(letters.find((l) => l.key === key)).toMatchObject({
        reason: 'schema_validation',
        consumer: 'detector',
        source_topic: Topics.metrics,
      });
    } finally {
      expect(await detector.stop(15000)).toBe(0);
    }
  });

  it('refuses to start with an invalid rules file, naming the file, the rule and the field', async () => {
    const path = harness.file(
      'bad-rules.yaml',
      'charts:\n  - { metric: latency_p99_ms, kind: ratio, warning: 0.5, critical: 2 }\n',
    );
    const detector = harness.startDetector({ DETECTOR_RULES_FILE: path });
    expect(await detector.exitCode()).toBe(1);
    const output = `${detector.stderr.join('')}${JSON.stringify(detector.lines)}`;
    expect(output).toContain(path);
    expect(output).toContain('rule charts[0] (latency_p99_ms), field warning');
  });
});

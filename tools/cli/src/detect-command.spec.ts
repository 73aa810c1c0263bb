import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MetricWindow } from '@agentmon/contracts';
import {
  createDetectorState,
  DetectorEngine,
  pointFromMetricWindow,
  sliceText,
} from '@agentmon/detector-domain';
import { makeMetricWindow } from '@agentmon/testing';
import { runDetectReplay } from './detect-command';
import { findingsOf, REPLAY_PROJECT } from './detect-replay';

const T0 = Date.UTC(2024, 2, 4, 9);
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'agentmon-detect-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function run(args: Partial<Parameters<typeof runDetectReplay>[0]> & { replay: string }) {
  let stdout = '';
  let stderr = '';
  const code = runDetectReplay(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
  });
  return { code, stdout, stderr };
}

/** Live-shaped windows: an overall series and a faq slice with a completion and latency incident. */
function windows(): MetricWindow[] {
  const out: MetricWindow[] = [];
  for (let i = 0; i < 30; i++) {
    const bad = i >= 12 && i < 20;
    const start = T0 + i * 60_000;
    out.push(
      makeMetricWindow({
        project_id: REPLAY_PROJECT,
        window_start: start,
        window_end: start + 60_000,
        completion_rate: bad ? 0.7 : 0.9,
        strong_completion_rate: bad ? 0.6 : 0.8,
        latency_p95_ms: bad ? 40_000 : 15_000,
        error_rate: bad ? 0.12 : 0.03,
        trace_count: 200,
      }),
      makeMetricWindow({
        project_id: REPLAY_PROJECT,
        slice: { dimension: 'task_type', value: 'faq' },
        window_start: start,
        window_end: start + 60_000,
        completion_rate: i >= 20 ? 0.6 : 0.95,
        cost_avg_usd: i >= 22 ? 0.05 : 0.0162,
        trace_count: i % 7 === 0 ? 12 : 80,
      }),
    );
  }
  return out;
}

function toLine(w: MetricWindow): string {
  return JSON.stringify({
    ts: new Date(w.window_start).toISOString(),
    ...(w.slice.dimension === 'all' ? {} : { slice: `${w.slice.dimension}=${w.slice.value}` }),
    completion_rate: w.completion_rate,
    strong_completion_rate: w.strong_completion_rate,
    latency_p95_ms: w.latency_p95_ms,
    error_rate: w.error_rate,
    cost_avg_usd: w.cost_avg_usd,
    trace_count: w.trace_count,
  });
}

describe('agentmon detect --replay', () => {
  it('prints exactly what the live engine finds for the same windows', () => {
    const ws = windows();
    const engine = new DetectorEngine({ settings: { warmupWindows: 3 } });
    const state = createDetectorState();
    const live = ws.flatMap((w) => {
      const point = pointFromMetricWindow(w);
      const row = { ts: new Date(w.window_start).toISOString(), slice: sliceText(w.slice), point };
      return findingsOf(row, engine.apply(state, point).statuses);
    });
    const file = write('incident.jsonl', `${ws.map(toLine).join('\n')}\n`);
    const { code, stdout, stderr } = run({ replay: file, warmup: 3 });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const printed = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    expect(printed).toEqual(live);
    // The incident is really in there: every default rule kind fired on some point.
    const kinds = new Set(printed.map((p) => `${(p as { metric: string }).metric}`));
    for (const m of ['completion_rate', 'latency_p95_ms', 'error_rate', 'cost_avg_usd']) {
      expect(kinds).toContain(m);
    }
    expect(printed[0]).toEqual({
      ts: expect.any(String),
      slice: expect.stringMatching(/^(all|task_type=faq)$/),
      metric: expect.any(String),
      severity: expect.stringMatching(/^(warning|critical|info)$/),
    });
  });

  it('keeps ts and slice as written, "all" for the overall series, and formats a table', () => {
    const lines = [
      { ts: '2024-03-04T09:00:00+01:00', slice: 'all', completion_rate: 0.9 },
      { ts: '2024-03-04T09:01:00+01:00', completion_rate: 0.5 },
      { ts: '2024-03-04T09:02:00+01:00', completion_rate: 0.5 },
    ];
    const file = write('tz.jsonl', lines.map((l) => JSON.stringify(l)).join('\n'));
    const json = run({ replay: file, warmup: 1 });
    expect(
      json.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual([
      {
        ts: '2024-03-04T09:01:00+01:00',
        slice: 'all',
        metric: 'completion_rate',
        severity: 'critical',
      },
      {
        ts: '2024-03-04T09:02:00+01:00',
        slice: 'all',
        metric: 'completion_rate',
        severity: 'critical',
      },
    ]);
    const table = run({ replay: file, warmup: 1, format: 'table' });
    expect(table.stdout).toContain(
      '│ 2024-03-04T09:01:00+01:00 │ all   │ completion_rate │ critical │',
    );
    expect(table.stdout).toContain('2 finding(s)');
  });

  it('--rules and --min-samples change what fires', () => {
    const lines = [0.9, 0.87, 0.87, 0.87].map((c, i) =>
      JSON.stringify({
        ts: new Date(T0 + i * 60_000).toISOString(),
        completion_rate: c,
        trace_count: 40,
      }),
    );
    const file = write('rules.jsonl', lines.join('\n'));
    const rules = write(
      'rules.yaml',
      'fast_page: { enabled: false }\ncharts:\n  - { metric: completion_rate, kind: drop, warning: 0.01, critical: 0.5 }\n',
    );
    expect(run({ replay: file, warmup: 1 }).stdout).toBe('');
    expect(run({ replay: file, warmup: 1, rules }).stdout.trim().split('\n')).toHaveLength(2); // EWMA 0.894, 0.8892, 0.8854
    expect(run({ replay: file, warmup: 1, rules, minSamples: 50 }).stdout).toBe('');
  });

  it.each([
    ['not JSON', '{"ts": ', /line 2: not valid JSON/],
    [
      'a bad timestamp',
      '{"ts": "yesterday", "completion_rate": 0.9}',
      /line 2: ts: must be an ISO-8601/,
    ],
    [
      'a misspelt metric',
      '{"ts": "2024-03-04T09:00:00Z", "completion": 0.9}',
      /line 2: completion: unknown field/,
    ],
    [
      'a bad slice',
      '{"ts": "2024-03-04T09:00:00Z", "slice": "colour=red"}',
      /line 2: slice: must be "all" or/,
    ],
    [
      'a string metric',
      '{"ts": "2024-03-04T09:00:00Z", "error_rate": "0.1"}',
      /line 2: error_rate: must be a number/,
    ],
    [
      'a negative trace count',
      '{"ts": "2024-03-04T09:00:00Z", "trace_count": -1}',
      /line 2: trace_count:/,
    ],
  ])('exits 2 on %s, naming line and field', (_name, bad, message) => {
    const file = write(
      'bad.jsonl',
      `{"ts": "2024-03-04T08:59:00Z", "completion_rate": 0.9}\n${bad}\n`,
    );
    const { code, stdout, stderr } = run({ replay: file });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
  });

  it('exits 2 on an invalid rules file, naming the rule', () => {
    const file = write('ok.jsonl', '{"ts": "2024-03-04T09:00:00Z", "completion_rate": 0.9}\n');
    const rules = write(
      'bad-rules.yaml',
      'charts:\n  - { metric: error_rate, kind: level, warning: -1, critical: 1 }\n',
    );
    const { code, stderr } = run({ replay: file, rules });
    expect(code).toBe(2);
    expect(stderr).toContain(
      'rule charts[0] (error_rate), field warning: must be a positive number',
    );
  });
});

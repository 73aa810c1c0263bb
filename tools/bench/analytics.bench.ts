// npm run bench:analytics — the analytics stages' throughput, printed last as one JSON line
// {"bench":"analytics","figures":{...}}. Each stage contributes its figures through one
// function below; the detector and notifier add theirs to `FIGURE_SOURCES`.
import {
  combinePartials,
  mergePartials,
  WindowAggregator,
  type PartialWindow,
} from '@agentmon/aggregator-domain';
import { decodeTopicRecord, Topics, type TraceSummary } from '@agentmon/contracts';
import { makeTraceSummary } from '@agentmon/testing';
import { median } from './median';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const AGGREGATOR_TRACES = Number(process.env.BENCH_AGGREGATOR_TRACES ?? 200_000);

type Figures = Record<string, number>;

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Trace summaries as the traces topic carries them: 4 projects, 20 minutes of event time in
 * order (live traffic), every slice dimension varied (12 task types, 4 segments, 3 platforms,
 * 3 models, 4 agent versions, all hours/user types/query buckets).
 */
export function benchTraceSummaries(count: number, seed = 1): TraceSummary[] {
  const random = seeded(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const start = Date.UTC(2025, 0, 6, 9, 0, 0);
  return Array.from({ length: count }, (_, i) => {
    const ended_at = start + Math.floor((i / count) * 20 * 60_000);
    const duration = 300 + Math.floor(Math.exp(6 + random() * 4));
    const tool_call_count = Math.floor(random() * 8);
    const completed = random() < 0.85;
    return makeTraceSummary({
      trace_id: `bench-${seed}-${i}`,
      project_id: `bench-project-${i % 4}`,
      started_at: ended_at - duration,
      ended_at,
      completed,
      strong_completion: completed && random() < 0.8,
      final_output: completed ? 'Done.' : null,
      weak_completion: completed,
      task_type: pick(Array.from({ length: 12 }, (_, k) => `task-${k}`)),
      user_segment: pick(['free', 'pro', 'enterprise', null]),
      platform: pick(['web', 'ios', 'cli']),
      model_version: pick(['m-1', 'm-2', 'm-3']),
      agent_version: pick(['1.0', '1.1', '1.2', null]),
      query_length: Math.floor(Math.exp(3 + random() * 4)),
      session_number: 1 + Math.floor(random() * 10),
      tool_call_count,
      tool_error_count: Math.min(tool_call_count, random() < 0.1 ? 1 : 0),
      safety_flagged: random() < 0.01,
      closed_at: ended_at + 1000,
    });
  });
}

/**
 * The aggregator stage's per-process work over `summaries` (spread over 6 partitions): the
 * WindowAggregator step with every slice dimension, closing the partials every 500 records
 * (the app polls per batch), and the merge step (every slice's window of every series window,
 * plus the combined partial that feeds the rollups). With `values`, each record is first
 * decoded and validated against its contract as the runtime's transport does (the shared
 * decode, not the stage). Excludes the sinks' I/O. Returns traces per second.
 */
function aggregatorTracesPerSecond(
  summaries: readonly TraceSummary[],
  values?: readonly string[],
): number {
  const partitions = 6;
  const aggregator = new WindowAggregator();
  const partials: PartialWindow[] = [];
  const started = process.hrtime.bigint();
  let now = 0;
  for (let i = 0; i < summaries.length; i++) {
    let summary = summaries[i]!;
    if (values !== undefined) {
      const decoded = decodeTopicRecord(Topics.traces, values[i]!);
      if (!decoded.ok) throw new Error('bench record invalid');
      summary = decoded.value;
    }
    now = summary.closed_at;
    aggregator.ingest({ partition: i % partitions, offset: i, summary }, now);
    if (i % 500 === 499) partials.push(...aggregator.poll(now));
  }
  partials.push(...aggregator.poll(now + 3_600_000));
  const byWindow = new Map<string, PartialWindow[]>();
  for (const partial of partials) {
    const key = `${partial.project_id}|${partial.window_start}`;
    const group = byWindow.get(key);
    if (group === undefined) byWindow.set(key, [partial]);
    else group.push(partial);
  }
  let windows = 0;
  for (const group of byWindow.values()) {
    windows += mergePartials(group, { computedAt: now }).length;
    combinePartials(group, { revision: 0 });
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (windows === 0) throw new Error('no windows merged');
  return summaries.length / seconds;
}

function settledHeap(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  for (let i = 0; i < 3; i += 1) gc();
  return process.memoryUsage().heapUsed;
}

/**
 * Heap held per open series window (one slice of one project in one open window, e.g.
 * task_type=search of project p in 09:03), with every dimension at its bound's realistic
 * cardinality: many projects' windows held open at once, measured after full GCs.
 */
function heapBytesPerOpenSeriesWindow(): number {
  const traces = benchTraceSummaries(40_000, 9).map((t, i) => ({
    ...t,
    project_id: `heap-project-${i % 400}`,
  }));
  const aggregator = new WindowAggregator({ idleCloseMs: 3_600_000, allowedLatenessMs: 3_600_000 });
  const before = settledHeap();
  traces.forEach((summary, i) => aggregator.ingest({ partition: 0, offset: i, summary }, 0));
  const after = settledHeap();
  const partials = aggregator.poll(Number.MAX_SAFE_INTEGER);
  const series = partials.reduce((sum, p) => sum + p.cells.length, 0);
  return (after - before) / series;
}

async function aggregatorFigures(): Promise<Figures> {
  const summaries = benchTraceSummaries(AGGREGATOR_TRACES);
  const values = summaries.map((t) => JSON.stringify(t));
  aggregatorTracesPerSecond(summaries.slice(0, 20_000)); // warm-up
  aggregatorTracesPerSecond(summaries.slice(0, 20_000), values.slice(0, 20_000));
  const step: number[] = [];
  const decoded: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    step.push(aggregatorTracesPerSecond(summaries));
    decoded.push(aggregatorTracesPerSecond(summaries, values));
    console.log(
      `run ${run + 1}: aggregator step + merge ${Math.round(step[run]!)} traces/s; with contract decode ${Math.round(decoded[run]!)} traces/s`,
    );
  }
  const heap = [heapBytesPerOpenSeriesWindow(), heapBytesPerOpenSeriesWindow()];
  return {
    aggregator_traces_per_s: Math.round(median(step)),
    aggregator_with_decode_traces_per_s: Math.round(median(decoded)),
    heap_bytes_per_open_series_window: Math.round(median(heap)),
  };
}

/** Every analytics stage's figures; the detector and notifier benches plug in here. */
const FIGURE_SOURCES: (() => Promise<Figures>)[] = [aggregatorFigures];

async function main(): Promise<void> {
  const figures: Figures = {};
  for (const source of FIGURE_SOURCES) Object.assign(figures, await source());
  console.log(JSON.stringify({ bench: 'analytics', figures }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

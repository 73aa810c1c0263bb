import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Alert, MetricWindow } from '@agentmon/contracts';
import { DetectorEngine } from '@agentmon/detector-domain';
import { OrphanWatchdog, startRedisServer } from '@agentmon/launcher';
import { makeMetricWindow } from '@agentmon/testing';
import Redis from 'ioredis';
import { DetectorStage } from '../../apps/detector/src/consumer/detector.stage';
import type {
  DetectorSinks,
  StoredSeries,
} from '../../apps/detector/src/ports/detector-sinks.port';
import { RedisStateStore } from '../../apps/detector/src/sinks/redis-state-store';
import { median } from './median';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** Series (projects × slices) and one-minute windows per series in a run. */
const SERIES = Number(process.env.BENCH_DETECTOR_SERIES ?? 2_000);
const WINDOWS = Number(process.env.BENCH_DETECTOR_WINDOWS ?? 60);
/** Windows per flush cycle (a Kafka batch across the partitions consumed concurrently). */
const CYCLE = Number(process.env.BENCH_DETECTOR_CYCLE ?? 10_000);

const DIMENSIONS = ['all', 'task_type', 'platform', 'user_type'] as const;

/** Series `s`, window `i`: noisy but in control, with a completion drop on a tenth of the series. */
function windowOf(s: number, i: number, t0: number): MetricWindow {
  const dimension = DIMENSIONS[s % DIMENSIONS.length];
  const project = `bench-${Math.floor(s / DIMENSIONS.length)}`;
  const noise = ((s * 7919 + i * 104729) % 100) / 10_000;
  const completion = (s % 10 === 0 && i > 30 ? 0.78 : 0.9) - noise;
  const completed = Math.round(completion * 200);
  return makeMetricWindow({
    project_id: project,
    slice: dimension === 'all' ? { dimension, value: '*' } : { dimension, value: `v${s % 7}` },
    window_start: t0 + i * 60_000,
    trace_count: 200,
    completed_count: completed,
    strong_completed_count: Math.min(completed, 160),
    completion_rate: completed / 200,
    strong_completion_rate: Math.min(completed, 160) / 200,
    completion_gap: (completed - Math.min(completed, 160)) / 200,
    latency_p95_ms: 15_000 + noise * 100_000,
  });
}

/** The live stage with its Redis state store; alerts are counted instead of sent. */
async function oneRun(redis: Redis, run: number): Promise<{ pointsPerS: number; alerts: number }> {
  const store = new RedisStateStore(
    redis,
    3600,
    {
      stateUnreadable: () => undefined,
      resetUnreadable: () => undefined,
    },
    `agentmon:bench:${run}:`,
  );
  let alerts = 0;
  const sinks: DetectorSinks = {
    load: (keys) => store.load(keys),
    emit: async (batch: readonly Alert[]) => void (alerts += batch.length),
    save: (states: ReadonlyMap<string, StoredSeries>) => store.save(states),
  };
  const stage = new DetectorStage(new DetectorEngine({ mixSource: 'overall' }), sinks, {
    pointsApplied: () => undefined,
    alertsEmitted: () => undefined,
    resetsApplied: () => undefined,
  });
  const t0 = Date.UTC(2025, 0, 6);
  // Windows in topic order (every series' window i before any window i + 1), built per cycle
  // outside the timed part: the figure is the detector's work (engine, state, Redis), not the input's.
  const total = WINDOWS * SERIES;
  let offset = 0;
  let elapsed = 0n;
  for (let at = 0; at < total; at += CYCLE) {
    const records = [];
    for (let n = at; n < Math.min(at + CYCLE, total); n++) {
      const value = windowOf(n % SERIES, Math.floor(n / SERIES), t0);
      records.push({ offset: String(offset++), key: null, timestamp: 0, value });
    }
    const started = process.hrtime.bigint();
    stage.ingest({ partition: 0, records });
    await stage.write(stage.takeOutput());
    elapsed += process.hrtime.bigint() - started;
  }
  const seconds = Number(elapsed) / 1e9;
  return { pointsPerS: total / seconds, alerts };
}

/** detector_points_per_s: windows through engine + Redis state per second, one process (median of RUNS). */
export async function benchDetector(redisUrl?: string): Promise<{ detector_points_per_s: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'agentmon-bench-detector-'));
  const watchdog = redisUrl ? undefined : new OrphanWatchdog(dir);
  const started = redisUrl ? undefined : await startRedisServer(dir, watchdog!);
  const redis = new Redis(redisUrl ?? started!.url);
  try {
    const rates: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const { pointsPerS, alerts } = await oneRun(redis, run);
      if (alerts === 0) throw new Error('the bench series produced no alert: check the scenario');
      rates.push(pointsPerS);
      console.log(JSON.stringify({ run, detector_points_per_s: Math.round(pointsPerS), alerts }));
    }
    return { detector_points_per_s: Math.round(median(rates)) };
  } finally {
    await redis.quit();
    await started?.process.stop();
    watchdog?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchDetector(process.env.BENCH_REDIS_URL)
    .then((figures) => console.log(JSON.stringify({ bench: 'detector', figures })))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}

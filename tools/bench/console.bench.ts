import 'reflect-metadata';
import { ClickHouseConnection, MigrationRunner } from '@agentmon/clickhouse';
import { ConsoleConfigSchema, loadConfig } from '@agentmon/config';
import { OrphanWatchdog, startClickHouseServer, startRedisServer } from '@agentmon/launcher';
import { startHttpService } from '@agentmon/service-runtime';
import { makeTraceSummary } from '@agentmon/testing';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { ConsoleModule } from '../../apps/console/src/console.module';
import { configureConsole } from '../../apps/console/src/console-server';
import {
  storedWindowRows,
  variedSummaries,
} from '../../libs/analytics-queries/src/test/stored-windows';

// bench:console — every console page against a day of 1 million traces in ClickHouse, on
// 127.0.0.1 only: its own ClickHouse and Redis (stopped at the end), the console in-process.
// The day's summaries and spans are generated in ClickHouse (INSERT … SELECT from numbers());
// one hour of windows and its hourly rollup comes from the aggregator's own domain functions
// (the analytics read layer's test helper) and is cloned over the other 23 hours in SQL with
// the JSON timestamps rewritten. Figures per page: the first (cold) request, p50/p95 of
// BENCH_CONSOLE_REQUESTS requests to a console that computes every one (CONSOLE_CACHE_TTL_MS=0),
// and p95 of as many to one with the default cache.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TRACES = Number(process.env.BENCH_CONSOLE_TRACES ?? 1_000_000);
const REQUESTS = Number(process.env.BENCH_CONSOLE_REQUESTS ?? 30);
const PROJECT = 'bench-console';
const TASKS = [
  'bug_fix',
  'code_review',
  'faq',
  'research',
  'support',
  'billing',
  'refactor',
  'docs',
];

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

export async function loadDay(ch: ClickHouseConnection, dayStart: number): Promise<void> {
  const db = ch.database;
  const t0 = Date.now();
  const spacing = DAY / TRACES;
  const tasks = `['${TASKS.join("','")}']`;
  // A trace every `spacing` ms; one in 9 not completed, one in 13 with a tool failure; failures
  // and one success in 10 keep their spans (the sessionizer's sampling).
  await ch.command(
    `INSERT INTO {db:Identifier}.trace_summaries
       (project_id, trace_id, revision, session_id, user_id, started_at_ms, ended_at_ms,
        duration_ms, closed_at_ms, task_type, user_segment, platform, model_version, agent_version,
        query_length, session_number, first_session, completed, weak_completion, strong_completion,
        rating, input_tokens, output_tokens, span_count, llm_call_count, tool_call_count,
        tool_error_count, step_count, error_count, errors_tool_failure, cost_usd, final_output,
        sampled, sampling_rule, closed_reason)
     SELECT {project:String}, concat('t', toString(number)), 0, concat('s', toString(number)),
            concat('u', toString(number % 50000)), st, st + dur, dur, st + dur + 1000,
            ${tasks}[number % 8 + 1], ['free', 'pro', 'enterprise'][number % 3 + 1],
            ['web', 'ios', 'api'][number % 3 + 1], 'claude-sonnet-4', '1.4.0',
            100 + number % 900, 1 + number % 7, number % 7 = 0, failed = 0, failed = 0,
            failed = 0 AND number % 17 != 0, if(number % 41 = 0, 'negative', 'none'),
            1000 + number % 700, 200 + number % 300, 4, 2, 2, tool_failed, 3,
            tool_failed + (failed AND NOT tool_failed), tool_failed,
            (1000 + number % 700) * 0.000003 + (200 + number % 300) * 0.000015,
            if(failed = 1, '', 'done'), failed OR tool_failed OR number % 10 = 1,
            if(failed OR tool_failed, 'failure', if(number % 10 = 1, 'random_success', 'unsampled')),
            'trace_end'
     FROM (SELECT number, toUInt64({start:UInt64} + number * {spacing:Float64}) AS st,
                  toUInt64(800 + (number * 7919) % 20000) AS dur,
                  toUInt8(number % 9 = 0) AS failed, toUInt8(number % 13 = 0) AS tool_failed
           FROM numbers({n:UInt64}))`,
    { db, project: PROJECT, start: dayStart, spacing, n: TRACES },
  );
  await ch.command(
    `INSERT INTO {db:Identifier}.spans
       (project_id, trace_id, span_id, parent_span_id, operation, name, start_time_ms, end_time_ms,
        duration_ms, status, error_message, error_type, model, input_tokens, output_tokens,
        tool_name, attributes_json, events_json)
     SELECT {project:String}, concat('t', toString(number)), concat('t', toString(number), '-', toString(k)),
            if(k = 0, '', concat('t', toString(number), '-0')),
            ['agent_step', 'llm_call', 'tool_call', 'tool_call'][k + 1], '',
            st + k * 100, st + k * 100 + 300, 300,
            if(k = 3 AND number % 13 = 0, 'ERROR', 'OK'), if(k = 3 AND number % 13 = 0, 'tool timed out', ''),
            if(k = 3 AND number % 13 = 0, 'tool_failure', ''), if(k = 1, 'claude-sonnet-4', ''),
            if(k = 1, 1000, 0), if(k = 1, 200, 0), if(k >= 2, 'search', ''),
            if(k >= 2, '{"tool_name":"search","tool_input":"{\\\\"q\\\\":\\\\"why\\\\"}"}', '{}'), '[]'
     FROM (SELECT number, toUInt64({start:UInt64} + number * {spacing:Float64}) AS st
           FROM numbers({n:UInt64})
           WHERE number % 9 = 0 OR number % 13 = 0 OR number % 10 = 1)
     ARRAY JOIN range(4) AS k`,
    { db, project: PROJECT, start: dayStart, spacing, n: TRACES },
  );
  // One hour of windows through the aggregator's domain (≈ TRACES / 24 traces).
  const hour = variedSummaries(
    PROJECT,
    Math.round(TRACES / 24),
    dayStart,
    HOUR,
    makeTraceSummary({ project_id: PROJECT }),
  ).map((t) => ({ ...t, task_type: TASKS[Number(t.trace_id.split('-t').pop()) % 8]! }));
  const rows = storedWindowRows(hour).filter((r) => r.window_size_s !== 86400);
  for (let i = 0; i < rows.length; i += 5000)
    await ch.insert('metric_windows', rows.slice(i, i + 5000));
  const columns = (
    await ch.query<{ name: string }>(
      `SELECT name FROM system.columns
       WHERE database = {db:String} AND table = 'metric_windows' AND default_kind != 'MATERIALIZED'`,
      { db },
    )
  ).map((c) => c.name);
  // The JSON keeps its 13-digit epoch-ms stamps; each is cut out and replaced by the shifted
  // one (18.16's replaceRegexpOne takes only a constant replacement).
  const restamp = (expr: string, key: string, value: string) => {
    const at = `position(${expr}, '"${key}":')`;
    return `if(${at} = 0, ${expr}, concat(substring(${expr}, 1, ${at} + ${key.length + 2}), toString(${value}), substring(${expr}, ${at} + ${key.length + 3 + 13})))`;
  };
  const start = 'window_start_ms + h * 3600000';
  const shifted = columns.map((c) =>
    c === 'window_start_ms'
      ? start
      : c === 'window_json' || c === 'partial_json'
        ? restamp(
            restamp(c, 'window_start', start),
            'window_end',
            `${start} + window_size_s * 1000`,
          )
        : c,
  );
  await ch.command(
    `INSERT INTO {db:Identifier}.metric_windows (${columns.join(', ')})
     SELECT ${shifted.join(', ')}
     FROM {db:Identifier}.metric_windows ARRAY JOIN arrayMap(x -> x + 1, range(23)) AS h
     WHERE project_id = {project:String}`,
    { db, project: PROJECT },
  );
  await ch.command(
    `INSERT INTO {db:Identifier}.alerts
       (project_id, occurred_at_ms, alert_id, fingerprint, state, severity, metric,
        slice_dimension, slice_value, message, current_value, baseline, threshold)
     SELECT {project:String}, {start:UInt64} + number * 432000, concat('a', toString(number)),
            concat('fp', toString(number % 20)), if(number % 2 = 0, 'firing', 'resolved'),
            if(number % 3 = 0, 'critical', 'warning'), 'completion_rate', 'task_type',
            ${tasks}[number % 8 + 1], 'completion dropped', 0.7, 0.9, 0.85
     FROM numbers(200)`,
    { db, project: PROJECT, start: dayStart },
  );
  const [counts] = await ch.query<{ traces: string; spans: string; windows: string }>(
    `SELECT (SELECT toString(count()) FROM {db:Identifier}.trace_summaries) AS traces,
            (SELECT toString(count()) FROM {db:Identifier}.spans) AS spans,
            (SELECT toString(count()) FROM {db:Identifier}.metric_windows) AS windows`,
    { db },
  );
  console.error(
    `loaded ${counts!.traces} trace summaries, ${counts!.spans} spans, ${counts!.windows} window rows in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
}

export async function benchConsole(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'agentmon-bench-console-'));
  const watchdog = new OrphanWatchdog(dir);
  const clickhouse = await startClickHouseServer(dir, watchdog);
  const redis = await startRedisServer(dir, watchdog);
  const database = `agentmon_bench_${randomUUID().replace(/-/g, '').slice(0, 8)}`;
  const ch = ClickHouseConnection.create({ url: clickhouse.url, database });
  const token = `amc_bench_${randomUUID()}`;
  let service: Awaited<ReturnType<typeof startHttpService>> | undefined;
  let cachedService: Awaited<ReturnType<typeof startHttpService>> | undefined;
  try {
    await new MigrationRunner(ch, { retentionDays: 90 }).run();
    const dayEnd = Math.floor(Date.now() / HOUR) * HOUR;
    await loadDay(ch, dayEnd - DAY);
    const logger = pino({ level: 'silent' });
    const config = loadConfig(ConsoleConfigSchema, {
      CLICKHOUSE_URL: clickhouse.url,
      CLICKHOUSE_DATABASE: database,
      REDIS_URL: redis.url,
      LOG_LEVEL: 'silent',
      CONSOLE_TOKENS: `${PROJECT}:${createHash('sha256').update(token).digest('hex')}`,
    });
    const start = (cacheTtlMs: number) =>
      startHttpService({
        app: 'console',
        module: ConsoleModule,
        config: { ...config, CONSOLE_CACHE_TTL_MS: cacheTtlMs },
        host: '127.0.0.1',
        port: 0,
        logger,
        shutdownTimeoutMs: 5000,
        configure: (app) => configureConsole(app, logger),
      });
    // Two consoles on the same data: one computing every request (the figures that count), one
    // as deployed (page data reused for a window), for what a dashboard left open sees.
    service = await start(0);
    cachedService = await start(config.CONSOLE_CACHE_TTL_MS);
    const pages: Record<string, string> = {
      overview: '/',
      chart: `/chart?metric=completion_rate&slice=${encodeURIComponent('task_type=bug_fix')}`,
      slices: '/slices',
      alerts: '/alerts',
      traces: '/traces',
      trace: '/traces/t9',
      review: '/review',
    };
    const figures: Record<string, number> = {};
    const get = async (base: string, path: string) => {
      const started = process.hrtime.bigint();
      const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
      await res.text();
      if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    for (const [name, path] of Object.entries(pages)) {
      const times: number[] = [];
      for (let i = 0; i < REQUESTS + 1; i++) {
        const took = await get(service.url, path);
        // The first request is reported apart (cold: ClickHouse marks, the JIT).
        if (i === 0) figures[`${name}_cold_ms`] = Math.round(took);
        else times.push(took);
      }
      figures[`${name}_p50_ms`] = Math.round(quantile(times, 0.5));
      figures[`${name}_p95_ms`] = Math.round(quantile(times, 0.95));
      const cached: number[] = [];
      for (let i = 0; i < REQUESTS + 1; i++) {
        const took = await get(cachedService.url, path);
        if (i > 0) cached.push(took);
      }
      figures[`${name}_cached_p95_ms`] = Math.round(quantile(cached, 0.95));
      console.error(
        `${name}: cold ${figures[`${name}_cold_ms`]} ms, uncached p50 ${figures[`${name}_p50_ms`]} p95 ${figures[`${name}_p95_ms`]} ms, cached p95 ${figures[`${name}_cached_p95_ms`]} ms`,
      );
    }
    figures.traces_loaded_count = TRACES;
    figures.requests_per_page_count = REQUESTS;
    return figures;
  } finally {
    await service?.shutdown('bench done');
    await cachedService?.shutdown('bench done');
    await ch.close();
    await redis.process.stop();
    await clickhouse.process.stop();
    watchdog.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  // Bounded: a bench that hangs (a stuck server) stops itself.
  const guard = setTimeout(() => {
    console.error('bench:console took over 15 minutes; giving up');
    process.exit(1);
  }, 15 * 60_000);
  guard.unref();
  benchConsole()
    .then((figures) => {
      console.log(JSON.stringify({ bench: 'console', figures }));
      process.exit(0);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}

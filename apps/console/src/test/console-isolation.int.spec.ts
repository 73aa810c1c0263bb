import {
  ClickHouseConnection,
  MigrationRunner,
  toSpanRow,
  toTraceSummaryRow,
} from '@agentmon/clickhouse';
import { ConsoleConfigSchema, loadConfig } from '@agentmon/config';
import type { TraceSummary } from '@agentmon/contracts';
import { startHttpService, type RunningService } from '@agentmon/service-runtime';
import { makeMetricWindow, makeSpan, makeTraceSummary } from '@agentmon/testing';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { consoleTokenEntry } from '../auth/console-token-registry';
import { ConsoleModule } from '../console.module';
import { configureConsole } from '../console-server';

const MINUTE = 60_000;

/**
 * Two projects in one ClickHouse, two tokens: every API route and every page answers project A's
 * token with A's data only, refuses B by name (404, as for a project that does not exist), and
 * never lets B's trace ids, alerts or exports through. The console runs in-process on the real
 * ClickHouse and Redis the integration setup started.
 */
describe('console: a token sees only its projects (API and pages)', () => {
  const id = randomUUID().replace(/-/g, '').slice(0, 12);
  const database = `agentmon_console_${id}`;
  const clickhouse = ClickHouseConnection.create({ url: process.env.CLICKHOUSE_URL!, database });
  const A = `proj-a-${id}`;
  const B = `proj-b-${id}`;
  const tokenA = `console-a-${randomUUID()}`;
  const tokenB = `console-b-${randomUUID()}`;
  const now = Date.now();
  let service: RunningService;
  let url: string;

  const summaries = (project: string): TraceSummary[] =>
    Array.from({ length: 12 }, (_, i) => {
      const ended = now - (i + 1) * MINUTE;
      const failed = i % 3 === 0;
      return makeTraceSummary({
        trace_id: `${project}-trace-${i}`,
        project_id: project,
        user_id: `${project}-user`,
        started_at: ended - 4000,
        ended_at: ended,
        closed_at: ended + 500,
        completed: !failed,
        weak_completion: !failed,
        strong_completion: !failed,
        sampled: true,
        sampling_rule: failed ? 'failure' : 'random_success',
        span_count: 2,
        final_output: failed ? null : 'done',
      });
    });

  beforeAll(async () => {
    await new MigrationRunner(clickhouse, { retentionDays: 30 }).run();
    for (const project of [A, B]) {
      const traces = summaries(project);
      await clickhouse.insert('trace_summaries', traces.map(toTraceSummaryRow));
      await clickhouse.insert(
        'spans',
        traces.flatMap((t) =>
          [0, 1].map((k) =>
            toSpanRow(
              project,
              makeSpan({
                trace_id: t.trace_id,
                span_id: `${t.trace_id}-s${k}`,
                parent_span_id: k === 0 ? null : `${t.trace_id}-s0`,
                start_time: t.started_at + k * 100,
                end_time: t.ended_at - k * 100,
              }),
            ),
          ),
        ),
      );
      const windowStart = Math.floor(now / MINUTE) * MINUTE;
      await clickhouse.insert(
        'metric_windows',
        Array.from({ length: 12 }, (_, i) => {
          const w = makeMetricWindow({
            project_id: project,
            window_start: windowStart - (12 - i) * MINUTE,
          });
          return {
            project_id: project,
            window_start_ms: w.window_start,
            window_size_s: 60,
            metric_group: 'traces',
            slice_dimension: 'all',
            slice_value: w.slice.value,
            revision: 0,
            trace_count: w.trace_count,
            completion_rate: w.completion_rate,
            strong_completion_rate: w.strong_completion_rate,
            window_json: JSON.stringify(w),
          };
        }),
      );
      await clickhouse.insert('alerts', [
        {
          project_id: project,
          occurred_at_ms: now - 5 * MINUTE,
          alert_id: `${project}-alert`,
          fingerprint: `${project}-fp`,
          state: 'firing',
          severity: 'critical',
          metric: 'completion_rate',
          slice_dimension: 'all',
          slice_value: '*',
          message: `completion dropped in ${project}`,
          current_value: 0.6,
          baseline: 0.9,
          threshold: 0.85,
        },
      ]);
    }
    const env = {
      CLICKHOUSE_URL: process.env.CLICKHOUSE_URL!,
      REDIS_URL: process.env.REDIS_URL!,
      CLICKHOUSE_DATABASE: database,
      AGGREGATOR_WINDOW_MS: '60000',
      CONSOLE_TOKENS: [consoleTokenEntry([A], tokenA), consoleTokenEntry([B], tokenB)].join(','),
    };
    const config = loadConfig(ConsoleConfigSchema, env);
    const logger = pino({ level: process.env.CONSOLE_TEST_LOG ?? 'silent' });
    service = await startHttpService({
      app: 'console',
      module: ConsoleModule,
      config,
      host: '127.0.0.1',
      port: 0,
      logger,
      shutdownTimeoutMs: 5000,
      configure: (app) => configureConsole(app, logger),
    });
    url = service.url;
  }, 60_000);

  afterAll(async () => {
    await service?.shutdown('test done');
    await clickhouse.command('DROP DATABASE IF EXISTS {db:Identifier}', { db: database });
    await clickhouse.close();
  }, 30_000);

  const api = (path: string, token: string | null, init: RequestInit = {}) =>
    fetch(`${url}${path}`, {
      ...init,
      redirect: 'manual',
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(init.headers as Record<string, string>),
      },
    });

  it('refuses requests without a known token: 401 on the API, the login form for pages', async () => {
    expect((await api('/api/overview', null)).status).toBe(401);
    expect((await api('/api/overview', 'not-a-token')).status).toBe(401);
    const page = await api('/traces', null);
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login?next=%2Ftraces');
    expect((await api('/healthz', null)).status).toBe(200);
  });

  it('API: token A reads A, and every route refuses project B and B’s traces', async () => {
    expect(await (await api('/api/projects', tokenA)).json()).toEqual({ projects: [A] });
    const traces = (await (await api('/api/traces', tokenA)).json()) as {
      traces: { trace_id: string }[];
    };
    expect(traces.traces.length).toBe(12);
    expect(traces.traces.every((t) => t.trace_id.startsWith(`${A}-`))).toBe(true);

    for (const path of [
      'overview',
      'chart',
      'slices',
      'alerts',
      'traces',
      'review',
      'export',
      `traces/${B}-trace-1`,
    ]) {
      const res = await api(`/api/${path}?project=${B}`, tokenA);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
    // B's trace id without naming the project: looked up in A only.
    expect((await api(`/api/traces/${B}-trace-1`, tokenA)).status).toBe(404);
    expect((await api(`/api/traces/${A}-trace-1`, tokenA)).status).toBe(200);
    // Nor can A record a verdict on B's trace.
    const post = await api(`/api/review/${B}-trace-2`, tokenA, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ verdict: 'bad' }),
    });
    expect(post.status).toBe(404);

    const alerts = (await (await api('/api/alerts', tokenA)).json()) as {
      timeline: { changes: { message: string }[] };
      open_alerts: { project_id: string }[];
    };
    expect(alerts.timeline.changes.map((c) => c.message)).toEqual([`completion dropped in ${A}`]);
    expect(alerts.open_alerts.map((a) => a.project_id)).toEqual([A]);

    const chart = (await (await api('/api/chart?since=30m', tokenA)).json()) as {
      points: unknown[];
      alerts: unknown[];
    };
    expect(chart.points.length).toBe(12);
    expect(chart.alerts.length).toBe(1);

    const exported = await (await api('/api/export?since=1d', tokenA)).text();
    const lines = exported
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { summary: TraceSummary });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.summary.project_id === A)).toBe(true);
  });

  it('pages: signed in as A (cookie), B’s data is never shown and B’s pages are 404', async () => {
    const bad = await api('/login', null, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: 'wrong' }).toString(),
    });
    expect(bad.status).toBe(401);
    const login = await api('/login', null, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokenA, next: '/alerts' }).toString(),
    });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/alerts');
    const cookie = login.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = (path: string) =>
      fetch(`${url}${path}`, { headers: { cookie: cookie.split(';')[0] }, redirect: 'manual' });

    for (const path of ['/', '/chart', '/slices', '/alerts', '/traces', '/review', '/export']) {
      const res = await page(path);
      const html = await res.text();
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      expect({ path, leaks: html.includes(B) }).toEqual({ path, leaks: false });
      const other = await page(`${path}?project=${B}`);
      expect({ path, status: other.status }).toEqual({ path, status: 404 });
    }
    expect(await (await page('/alerts')).text()).toContain(`completion dropped in ${A}`);
    expect(await (await page('/traces')).text()).toContain(`${A}-trace-3`);
    expect((await page(`/traces/${B}-trace-1`)).status).toBe(404);
    const trace = await (await page(`/traces/${A}-trace-1`)).text();
    expect(trace).toContain('data-span-count="2"');
    expect((await page(`/export.jsonl?project=${B}`)).status).toBe(404);
  });

  it('a verdict "add to eval set" puts the trace first in the export (console and read layer)', async () => {
    const success = `${A}-trace-4`;
    const res = await api(`/api/review/${success}`, tokenA, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ verdict: 'add_to_eval_set', note: 'good example' }),
    });
    expect(res.status).toBe(200);
    const lines = (await (await api('/api/export?since=1d', tokenA)).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; summary: TraceSummary });
    expect(lines[0]).toMatchObject({ kind: 'reviewed', summary: { trace_id: success } });
    expect(lines.filter((l) => l.summary.trace_id === success)).toHaveLength(1);
    // B's export is unaffected by A's verdicts.
    const linesB = (await (await api('/api/export?since=1d', tokenB)).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; summary: TraceSummary });
    expect(linesB.every((l) => l.kind !== 'reviewed' && l.summary.project_id === B)).toBe(true);
  });
});

import { ClickHouseConnection, MigrationRunner } from '@agentmon/clickhouse';
import type { TraceSummary } from '@agentmon/contracts';
import { makeTraceSummary } from '@agentmon/testing';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AnalyticsQueries, FAILURE_CONDITION } from './analytics-queries';
import type { PeriodMetrics, SliceMetrics } from './period-metrics';
import { spanRows, storedWindowRows, summaryRow, variedSummaries } from './test/stored-windows';

const DAY = 86_400_000;
const ROOT = join(__dirname, '../../..');

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const failed = (t: TraceSummary) =>
  !t.completed || t.error_count > 0 || t.timed_out || t.rating === 'negative' || t.escalated;
const exactQuantile = (values: number[], q: number) =>
  [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))]!;

describe('agentmon dashboard, report, traces show, eval-candidates against ClickHouse', () => {
  const database = `agentmon_it_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const url = process.env.CLICKHOUSE_URL!;
  const clickhouse = ClickHouseConnection.create({ url, database });
  const queries = new AnalyticsQueries(clickhouse, { baseWindowS: 60 });
  const project = `p-${randomUUID().slice(0, 8)}`;
  const weekEnd = Math.floor(Date.now() / DAY) * DAY - DAY;
  const week = { from: weekEnd - 7 * DAY, to: weekEnd };
  const base = makeTraceSummary();
  const thisWeek = variedSummaries(project, 1400, week.from, 7 * DAY, base).map((t) => ({
    ...t,
    trace_id: `w2-${t.trace_id}`,
  }));
  const lastWeek = variedSummaries(project, 700, week.from - 7 * DAY, 7 * DAY, base)
    // The previous week: fewer failures in 'support' (so it is a slice that got worse).
    .map((t) =>
      t.task_type === 'support' && t.strong_completion === false && !t.escalated && t.completed
        ? { ...t, rating: 'none' as const, strong_completion: true }
        : t,
    )
    .map((t) => ({ ...t, trace_id: `w1-${t.trace_id}` }));
  const other = variedSummaries('other-project', 50, week.from, 7 * DAY, base);
  const all = [...thisWeek, ...lastWeek, ...other];
  const outDir = mkdtempSync(join(tmpdir(), 'agentmon-eval-'));

  beforeAll(async () => {
    await new MigrationRunner(clickhouse, { retentionDays: 30 }).run();
    await clickhouse.insert('trace_summaries', all.map(summaryRow));
    await clickhouse.insert('spans', all.filter((t) => t.sampled).flatMap(spanRows));
    const rows = storedWindowRows(all);
    for (let i = 0; i < rows.length; i += 20000)
      await clickhouse.insert('metric_windows', rows.slice(i, i + 20000));
    const at = week.to - DAY;
    const alert = (id: string, state: string, fingerprint: string, offset: number) => ({
      project_id: project,
      occurred_at_ms: at + offset,
      alert_id: id,
      fingerprint,
      state,
      severity: 'critical',
      metric: 'strong_completion_rate',
      slice_dimension: 'task_type',
      slice_value: 'support',
      message: `strong completion dropped (${id})`,
      current_value: 0.6,
      baseline: 0.85,
      threshold: 0.1,
    });
    await clickhouse.insert('alerts', [
      alert('a1', 'firing', 'fp-open', 0),
      alert('a2', 'firing', 'fp-closed', 1),
      alert('a3', 'resolved', 'fp-closed', 2),
      alert('a4', 'firing', 'fp-held', 3),
    ]);
    // a1 was sent; a4 was held by the notifier's cooldown (no delivery will follow).
    const decision = (id: string, fingerprint: string, reason: string) => ({
      project_id: project,
      decided_at_ms: at + 10,
      alert_id: id,
      reason,
      fingerprint,
      metric: 'strong_completion_rate',
      severity: 'critical',
      state: 'firing',
      slice_dimension: 'task_type',
      slice_value: 'support',
      notification_id: '',
      silence_id: '',
      inhibit_rule_id: '',
      inhibited_by: '',
      detail: '',
      alert_json: '{}',
    });
    await clickhouse.insert('notifier_decisions', [
      decision('a1', 'fp-open', 'sent'),
      decision('a4', 'fp-held', 'cooldown'),
    ]);
    await clickhouse.insert('alert_deliveries', [
      {
        project_id: project,
        alert_occurred_at_ms: at,
        alert_id: 'a1',
        channel: 'slack',
        status: 'sent',
        attempts: 2,
        last_error: '',
        updated_at_ms: at,
        revision: 2,
      },
    ]);
  }, 120_000);

  afterAll(async () => {
    await clickhouse.command('DROP DATABASE IF EXISTS {db:Identifier}', { db: database });
    await clickhouse.close();
    rmSync(outDir, { recursive: true, force: true });
  });

  function expectDashboardMatches(
    d: { overall: PeriodMetrics; slices: SliceMetrics[] },
    traces: TraceSummary[],
  ) {
    const n = traces.length;
    const count = (f: (t: TraceSummary) => boolean) => traces.filter(f).length;
    const sum = (f: (t: TraceSummary) => number) => traces.reduce((s, t) => s + f(t), 0);
    const o = d.overall;
    expect(o.trace_count).toBe(n);
    expect(o.completion_rate).toBeCloseTo(count((t) => t.completed) / n, 12);
    expect(o.strong_completion_rate).toBeCloseTo(count((t) => t.strong_completion) / n, 12);
    expect(o.completion_gap).toBeCloseTo(
      (count((t) => t.completed) - count((t) => t.strong_completion)) / n,
      12,
    );
    expect(o.cost_avg_usd).toBeCloseTo(sum((t) => t.cost_usd) / n, 9);
    expect(o.cost_per_successful_task_usd).toBeCloseTo(
      sum((t) => t.cost_usd) / count((t) => t.strong_completion),
      9,
    );
    expect(o.error_rate).toBeCloseTo(
      sum((t) => t.tool_error_count) / sum((t) => t.tool_call_count),
      12,
    );
    for (const type of [
      'tool_failure',
      'llm_refusal',
      'timeout',
      'user_abandonment',
      'hallucination_caught',
    ] as const) {
      expect(o.error_type_counts[type]).toBe(count((t) => t.error_types[type] > 0));
      expect(o.error_type_rates[type]).toBeCloseTo(count((t) => t.error_types[type] > 0) / n, 12);
    }
    expect(o.avg_tool_calls).toBeCloseTo(sum((t) => t.tool_call_count) / n, 12);
    expect(o.avg_steps).toBeCloseTo(sum((t) => t.step_count) / n, 12);
    expect(o.avg_tokens).toBeCloseTo(sum((t) => t.input_tokens + t.output_tokens) / n, 9);
    for (const [key, q] of [
      ['latency_p50_ms', 0.5],
      ['latency_p95_ms', 0.95],
      ['latency_p99_ms', 0.99],
    ] as const) {
      const exact = exactQuantile(
        traces.map((t) => t.duration_ms),
        q,
      );
      expect(Math.abs(o[key]! - exact) / exact).toBeLessThanOrEqual(0.0101);
    }
    for (const task of new Set(traces.map((t) => t.task_type!))) {
      const group = traces.filter((t) => t.task_type === task);
      const slice = d.slices.find((s) => s.dimension === 'task_type' && s.value === task)!;
      expect(slice.trace_count).toBe(group.length);
      expect(slice.strong_completion_rate).toBeCloseTo(
        group.filter((t) => t.strong_completion).length / group.length,
        12,
      );
    }
    const rates = d.slices.map((s) => s.strong_completion_rate!);
    expect(rates).toEqual([...rates].sort((a, b) => a - b));
  }

  const iso = (ms: number) => new Date(ms).toISOString();
  async function cli(args: string[], env: Record<string, string> = {}): Promise<string> {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['-r', './tools/register.js', 'tools/bin/agentmon.js', ...args],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          CLICKHOUSE_URL: url,
          CLICKHOUSE_DATABASE: database,
          AGENTMON_DATA_DIR: outDir,
          ...env,
        },
        timeout: 60_000,
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    return stdout;
  }

  it('the query layer: a period not aligned to hours or days re-merges minute windows and rollups exactly', async () => {
    const range = {
      from: week.from + 37 * 60_000 + 5 * 3_600_000,
      to: week.to - 3 * 3_600_000 - 11 * 60_000,
    };
    const summary = await queries.periodSummary({ project }, range);
    const inRange = thisWeek.filter((t) => t.ended_at >= range.from && t.ended_at < range.to);
    expectDashboardMatches(summary, inRange);
    expect(summary.windows_without_partial).toBe(0);
    const failures = inRange
      .filter(failed)
      .sort((a, b) => b.ended_at - a.ended_at || a.trace_id.localeCompare(b.trace_id));
    const recent = await queries.recentFailures({ project }, range, 10);
    expect(recent.map((f) => f.trace_id)).toEqual(failures.slice(0, 10).map((t) => t.trace_id));
    // Every project at once: the other project's traces count too.
    const everyProject = await queries.periodSummary({}, range);
    expect(everyProject.overall.trace_count).toBe(
      [...thisWeek, ...other].filter((t) => t.ended_at >= range.from && t.ended_at < range.to)
        .length,
    );
  });

  it('dashboard --json equals an independent computation from the seeded traces', async () => {
    const d = JSON.parse(
      await cli([
        'dashboard',
        '--json',
        '--project',
        project,
        '--since',
        iso(week.from),
        '--until',
        iso(week.to),
      ]),
    ) as Json;
    expect(Object.keys(d)).toEqual(
      expect.arrayContaining(['from', 'to', 'overall', 'slices', 'recent_failures', 'open_alerts']),
    );
    expect([d.from, d.to]).toEqual([iso(week.from), iso(week.to)]);
    expectDashboardMatches(d as never, thisWeek);
    expect(d.slices[0]).toEqual(
      expect.objectContaining({ dimension: expect.any(String), value: expect.any(String) }),
    );
    expect(d.recent_failures).toHaveLength(10);
    expect(
      d.open_alerts.map((a: Json) => [
        a.alert_id,
        a.delivery_status,
        a.delivery_attempts,
        a.notifier_decision,
      ]),
    ).toEqual([
      ['a4', '', 0, 'cooldown'],
      ['a1', 'sent', 2, 'sent'],
    ]);
    const table = await cli([
      'dashboard',
      '--project',
      project,
      '--since',
      iso(week.from),
      '--until',
      iso(week.to),
    ]);
    expect(table).toMatch(/strong completion/);
    expect(table).toMatch(/Open alerts \(2\)/);
    expect(table).toMatch(/held: cooldown/);
  });

  it('dashboard refuses a bad --since, naming it', async () => {
    await expect(cli(['dashboard', '--since', 'yesterday'])).rejects.toThrow(
      /--since .{0,2}"yesterday.{0,2}": use a duration/,
    );
  });

  it.each([1, 4, 15, 500])(
    "the week's review candidates (%i per stratum) equal a plain read of every latest row",
    async (perStratum) => {
      const plain = await clickhouse.query<{ trace_id: string }>(
        `SELECT trace_id FROM {db:Identifier}.trace_summaries FINAL
         WHERE project_id = {p:String} AND sampled = 1
           AND ended_at_ms >= {from:UInt64} AND ended_at_ms < {to:UInt64}
         ORDER BY task_type, ${FAILURE_CONDITION}, cityHash64(trace_id), trace_id
         LIMIT {per:UInt64} BY task_type, ${FAILURE_CONDITION}`,
        { db: database, p: project, from: week.from, to: week.to, per: perStratum },
      );
      const candidates = await queries.reviewCandidates({ project }, week, perStratum);
      expect(candidates.map((c) => c.trace_id).sort()).toEqual(plain.map((r) => r.trace_id).sort());
      expect(candidates.length).toBeGreaterThan(0);
    },
  );

  it('report --weekly: summary vs last week, failures by operation and error type, worse slices, actions, review picks', async () => {
    const args = ['report', '--weekly', '--project', project, '--until', iso(week.to)];
    const report = JSON.parse(await cli([...args, '--format', 'json'])) as Json;
    expect(report.current.trace_count).toBe(thisWeek.length);
    expect(report.previous.trace_count).toBe(lastWeek.length);
    const failures = thisWeek.filter(failed);
    expect(report.failure_count).toBe(failures.length);
    const toolFailed = failures.filter((t) => t.tool_error_count > 0).length;
    expect(report.failures_by_operation).toEqual([
      { operation: 'tool_call', failed_spans: toolFailed, traces: toolFailed },
    ]);
    expect(report.failures_by_error_type.llm_refusal).toBe(
      thisWeek.filter((t) => t.error_types.llm_refusal > 0).length,
    );
    expect(report.worsened_slices.map((s: Json) => `${s.dimension}=${s.value}`)).toContain(
      'task_type=support',
    );
    // 1 in 9 traces has a tool failure (above 5%), and 1 in 23 runs past 2 minutes.
    expect(report.recommendations.map((r: Json) => r.rule)).toEqual(
      expect.arrayContaining(['tool_failures', 'slow_p99']),
    );
    expect(report.review_traces).toHaveLength(15);
    const strata = new Set(report.review_traces.map((t: Json) => `${t.task_type}/${t.outcome}`));
    // Every (task type, outcome) with kept spans this week is represented.
    const kept = new Set(
      thisWeek
        .filter((t) => t.sampled)
        .map((t) => `${t.task_type}/${failed(t) ? 'failure' : 'success'}`),
    );
    expect(strata).toEqual(kept);
    const markdown = await cli([...args, '--format', 'markdown']);
    expect(markdown).toMatch(/^# AgentMon weekly report/);
    expect(markdown).toMatch(/\| strong completion \| .* \| [▲▼=]/);
    expect(markdown).toMatch(/review tool reliability/);
    // Deterministic pick: the markdown lists the same traces.
    for (const t of report.review_traces) expect(markdown).toContain(t.trace_id);
  });

  it('traces show: summary and span waterfall of a kept failure', async () => {
    const trace = thisWeek.find((t) => t.tool_error_count > 0 && t.tool_call_count >= 2)!;
    const detail = (await queries.traceDetail({ project }, trace.trace_id))!;
    expect(detail.summary).toEqual(
      expect.objectContaining({
        trace_id: trace.trace_id,
        duration_ms: trace.duration_ms,
        cost_usd: trace.cost_usd,
      }),
    );
    expect(detail.spans).toHaveLength(2 + trace.tool_call_count);
    const text = await cli(['traces', 'show', trace.trace_id]);
    expect(text).toMatch(/^agent_step .*\|█+ *\|/m);
    expect(text).toMatch(/^ {2}llm_call .*\d+→\d+ tok/m);
    expect(text).toMatch(/^ {2}tool_call search .*ERROR tool_failure: search timed out/m);
    expect(await queries.traceDetail({ project }, 'no-such-trace')).toBeNull();
  });

  it('eval-candidates: failures first by error type, then successes, each once across exports', async () => {
    const exportTo = async (file: string, extra: string[] = []) => {
      const result = JSON.parse(
        await cli(
          [
            'eval-candidates',
            '--json',
            '--out',
            join(outDir, file),
            '--project',
            project,
            '--since',
            iso(week.from),
            '--until',
            iso(week.to),
            '--limit',
            '60',
            '--successes',
            '10',
            ...extra,
          ],
          { ANALYTICS_EXPORT_PAGE_SIZE: '7' },
        ),
      ) as Json;
      const lines = readFileSync(join(outDir, file), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Json);
      return { result, lines, ids: lines.map((l) => l.summary.trace_id as string) };
    };
    const first = await exportTo('one.jsonl');
    expect(first.result).toEqual(
      expect.objectContaining({ written: 60, failures: 50, successes: 10 }),
    );
    expect(first.lines.slice(0, 50).every((l) => l.kind === 'failure')).toBe(true);
    expect(
      first.lines
        .slice(50)
        .every((l) => l.kind === 'success' && !failed(l.summary as TraceSummary)),
    ).toBe(true);
    const types = first.lines.slice(0, 50).map((l) => l.failure_type as string);
    expect(types).toEqual([...types].sort());
    for (const l of first.lines) {
      const sent = thisWeek.find((t) => t.trace_id === l.summary.trace_id)!;
      expect(l.spans).toHaveLength(2 + sent.tool_call_count);
    }
    const second = await exportTo('two.jsonl');
    expect(second.ids).toHaveLength(60);
    expect(second.ids.filter((id) => first.ids.includes(id))).toEqual([]);
    const again = await exportTo('three.jsonl', ['--include-exported']);
    expect(again.ids.slice(0, 50)).toEqual(first.ids.slice(0, 50));
    const billing = await exportTo('four.jsonl', ['--include-exported', '--task-type', 'billing']);
    expect(new Set(billing.lines.map((l) => l.summary.task_type))).toEqual(new Set(['billing']));
  });
});

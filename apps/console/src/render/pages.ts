import type { PeriodMetrics, SliceMetrics, TraceListItem } from '@agentmon/analytics-queries';
import { ChartMetricSchema, TraceErrorTypeSchema } from '@agentmon/contracts';
import type {
  AlertsData,
  ChartData,
  OverviewData,
  ReviewData,
  SlicesData,
} from '../console-data.service';
import { deliveryLabel, spanTree, type TraceDetail } from '@agentmon/analytics-queries';
import { escapeHtml, filterForm, iso, ms, num, pct, qs, sliceLabel, table, usd } from './html';

// One function per page: server-rendered tables, plus a chart spec (x in epoch seconds, one
// array per series) that /assets/console.js draws with uPlot. The spec is data only; which
// series are lines, points or dashed limits is said by `kind`.

export type SeriesKind = 'line' | 'points' | 'dashed' | 'bars';

export interface ChartSpec {
  el: string;
  kind: 'spark' | 'line' | 'control';
  title?: string;
  x: number[];
  series: { label: string; kind: SeriesKind; color: string; values: (number | null)[] }[];
  /** Rates are drawn as percentages on the axis. */
  percent?: boolean;
}

export interface PageBody {
  title: string;
  body: string;
  charts: ChartSpec[];
}

const sec = (t: number) => Math.round(t / 1000);
const chartLink = (project: string, metric: string, dimension: string, value: string) =>
  `/chart${qs({ project, metric, slice: sliceLabel(dimension, value) })}`;

interface KeyMetric {
  key: keyof PeriodMetrics;
  label: string;
  format: (v: number | null) => string;
  series?: keyof OverviewData['series'][number];
  /** Whether a rise is bad (latency, errors, cost) or good (completion, satisfaction). */
  higherIsWorse: boolean;
}

const KEY_METRICS: KeyMetric[] = [
  {
    key: 'completion_rate',
    label: 'Completion',
    format: pct,
    series: 'completion_rate',
    higherIsWorse: false,
  },
  {
    key: 'strong_completion_rate',
    label: 'Strong completion',
    format: pct,
    series: 'strong_completion_rate',
    higherIsWorse: false,
  },
  {
    key: 'latency_p95_ms',
    label: 'Latency p95',
    format: ms,
    series: 'latency_p95_ms',
    higherIsWorse: true,
  },
  {
    key: 'error_rate',
    label: 'Tool-call error rate',
    format: pct,
    series: 'error_rate',
    higherIsWorse: true,
  },
  {
    key: 'cost_avg_usd',
    label: 'Cost per trace',
    format: usd,
    series: 'cost_avg_usd',
    higherIsWorse: true,
  },
  {
    key: 'satisfaction_index',
    label: 'Satisfaction index',
    format: (v) => num(v, 2),
    series: 'satisfaction_index',
    higherIsWorse: false,
  },
  { key: 'rating_coverage', label: 'Rating coverage', format: pct, higherIsWorse: false },
  { key: 'corrected_rate', label: 'Corrected', format: pct, higherIsWorse: true },
  { key: 'abandoned_rate', label: 'Abandoned', format: pct, higherIsWorse: true },
];

function delta(now: number | null, before: number | null, higherIsWorse: boolean): string {
  if (now === null || before === null || !Number.isFinite(now) || !Number.isFinite(before))
    return '';
  const diff = now - before;
  if (Math.abs(diff) < 1e-12) return '<span class="muted">=</span>';
  const worse = higherIsWorse ? diff > 0 : diff < 0;
  const rel =
    before !== 0 ? ` (${diff > 0 ? '+' : ''}${((diff / Math.abs(before)) * 100).toFixed(1)}%)` : '';
  return `<span class="${worse ? 'worse' : 'better'}">${diff > 0 ? '▲' : '▼'}${rel}</span>`;
}

export function overviewPage(d: OverviewData): PageBody {
  const x = d.series.map((p) => sec(p.window_start));
  const charts: ChartSpec[] = [];
  const cards = KEY_METRICS.map((m, i) => {
    const now = d.current[m.key] as number | null;
    const before = d.previous[m.key] as number | null;
    let spark = '';
    if (m.series !== undefined) {
      const key = m.series;
      charts.push({
        el: `spark-${i}`,
        kind: 'spark',
        x,
        percent: m.format === pct,
        series: [
          {
            label: m.label,
            kind: 'line',
            color: '#2563eb',
            values: d.series.map((p) =>
              key === 'satisfaction_index' && !p.rated ? null : (p[key] as number),
            ),
          },
        ],
      });
      spark = `<div class="spark" id="spark-${i}"></div>`;
    }
    return `<div class="card"><div class="label">${m.label}</div><div class="value">${m.format(now)}</div>
<div class="baseline">baseline ${m.format(before)} ${delta(now, before, m.higherIsWorse)}</div>${spark}</div>`;
  }).join('');
  const o = d.current;
  const wilson =
    o.positive_share === null
      ? 'no explicit ratings in the last hour'
      : `${pct(o.positive_share)} positive (95% Wilson interval ${pct(o.positive_share_low)}–${pct(o.positive_share_high)}, ${o.rating_positive_count + o.rating_negative_count} ratings)`;
  charts.push({
    el: 'traffic',
    kind: 'line',
    title: 'Traces per window',
    x,
    series: [
      {
        label: 'traces',
        kind: 'bars',
        color: '#64748b',
        values: d.series.map((p) => p.trace_count),
      },
    ],
  });
  const alerts = table(
    ['since', 'severity', 'metric', 'slice', 'value', 'baseline', 'delivery'],
    d.open_alerts.map((a) => [
      iso(a.occurred_at),
      `<span class="sev ${escapeHtml(a.severity)}">${escapeHtml(a.severity)}</span>`,
      escapeHtml(a.metric),
      `<a href="${chartLink(d.project, a.metric, a.slice_dimension, a.slice_value)}">${escapeHtml(sliceLabel(a.slice_dimension, a.slice_value))}</a>`,
      num(a.current_value, 3),
      num(a.baseline, 3),
      escapeHtml(deliveryLabel(a)),
    ]),
    'open-alerts',
  );
  const body = `<p class="muted">Last hour (${iso(d.now.from)} → ${iso(d.now.to)}) against the 24 hours before it; sparklines are the overall series' windows.</p>
<section class="cards">${cards}</section>
<p>Explicit ratings: ${wilson}. Traces in the last hour: <strong>${o.trace_count}</strong> (24 h before: ${d.previous.trace_count}).</p>
<h2>Traffic</h2><div class="chart" id="traffic"></div>
<h2>Open alerts (${d.open_alerts.length})</h2>${alerts}`;
  return { title: 'Overview', body, charts };
}

export function chartPage(d: ChartData): PageBody {
  const x = d.points.map((p) => sec(p.windowStart));
  const index = new Map(d.points.map((p, i) => [p.windowStart, i]));
  const firing: (number | null)[] = d.points.map(() => null);
  const resolved: (number | null)[] = d.points.map(() => null);
  const resets: (number | null)[] = d.points.map(() => null);
  for (const a of d.alerts) {
    const i = index.get(a.window_start);
    if (i === undefined) continue;
    const y = d.points[i].ewma ?? a.value;
    if (a.state === 'firing') firing[i] = y;
    else resolved[i] = y;
  }
  for (const r of d.resets) {
    const i = index.get(r.window_start);
    if (i !== undefined) resets[i] = d.points[i].baseline ?? d.points[i].value;
  }
  d.points.forEach((p, i) => {
    if (p.reset && resets[i] === null) resets[i] = p.baseline ?? p.value;
  });
  const percent = /rate|share|coverage|gap/.test(d.metric);
  const spec: ChartSpec = {
    el: 'control-chart',
    kind: 'control',
    x,
    percent,
    series: [
      {
        label: 'window value',
        kind: 'points',
        color: '#94a3b8',
        values: d.points.map((p) => p.value),
      },
      { label: 'EWMA', kind: 'line', color: '#2563eb', values: d.points.map((p) => p.ewma) },
      {
        label: 'baseline',
        kind: 'line',
        color: '#16a34a',
        values: d.points.map((p) => p.baseline),
      },
      {
        label: 'warning limit',
        kind: 'dashed',
        color: '#f59e0b',
        values: d.points.map((p) => p.warning),
      },
      {
        label: 'critical limit',
        kind: 'dashed',
        color: '#dc2626',
        values: d.points.map((p) => p.critical),
      },
      { label: 'alert fired', kind: 'points', color: '#b91c1c', values: firing },
      { label: 'alert resolved', kind: 'points', color: '#15803d', values: resolved },
      { label: 'baseline reset', kind: 'points', color: '#7c3aed', values: resets },
    ],
  };
  const metricOptions = ChartMetricSchema.options as readonly string[];
  const sliceOptions = ['all', ...d.slices.map((s) => sliceLabel(s.dimension, s.value))];
  const current = sliceLabel(d.slice.dimension, d.slice.value);
  if (!sliceOptions.includes(current)) sliceOptions.push(current);
  const form = filterForm(d.project, [
    { name: 'metric', label: 'metric', value: d.metric, options: metricOptions },
    { name: 'slice', label: 'slice', value: current, options: sliceOptions },
    { name: 'since', label: 'since', value: '' },
    { name: 'until', label: 'until', value: '' },
  ]);
  const rule = d.rule
    ? `rule <code>${escapeHtml(d.rule.kind)}</code>: warning ${d.rule.warning}, critical ${d.rule.critical}`
    : 'no chart rule for this metric (EWMA and baseline only)';
  const detector = d.detector_now
    ? `the detector's stored state now: baseline ${num(d.detector_now.baseline, 4)}, EWMA ${num(d.detector_now.ewma, 4)}`
    : 'the detector holds no state for this series';
  const markers = d.alerts.filter((a) => index.has(a.window_start));
  const body = `${form}
<p class="muted">${escapeHtml(d.metric)} on <strong>${escapeHtml(current)}</strong>, ${iso(d.range.from)} → ${iso(d.range.to)}; ${rule}; ${detector}. The EWMA and baseline are the detector's engine replayed over the stored windows.</p>
<div class="chart control" id="control-chart" data-alert-markers="${firing.filter((v) => v !== null).length}"></div>
<h2>Alerts on this chart (${markers.length})</h2>
${table(
  ['time', 'state', 'severity', 'EWMA'],
  markers.map((a) => [
    iso(a.at),
    escapeHtml(a.state),
    `<span class="sev ${escapeHtml(a.severity)}">${escapeHtml(a.severity)}</span>`,
    num(a.value, 4),
  ]),
  'chart-alerts',
)}
<h2>Baseline resets (${d.resets.length})</h2>
${table(
  ['time', 'by', 'reason'],
  d.resets.map((r) => [iso(r.at), escapeHtml(r.by), escapeHtml(r.reason)]),
)}`;
  return { title: 'Control chart', body, charts: [spec] };
}

/** 0 (fine) … 1 (bad) for a heat-map cell, against the overall value. */
function badness(metric: string, v: number | null, overall: number | null): number {
  if (v === null || !Number.isFinite(v)) return -1;
  const o = overall ?? v;
  const clamp = (x: number) => Math.max(0, Math.min(1, x));
  switch (metric) {
    case 'completion_rate':
    case 'strong_completion_rate':
      return clamp((o - v) / 0.2);
    case 'completion_gap':
      return clamp(v / 0.3);
    case 'error_rate':
      return clamp(v / 0.2);
    case 'satisfaction_index':
      return clamp((o - v) / 0.5);
    default:
      return o > 0 ? clamp((v / o - 1) / 1) : 0;
  }
}

function heatCell(metric: string, text: string, v: number | null, overall: number | null): string {
  const b = badness(metric, v, overall);
  const style =
    b < 0
      ? ''
      : ` style="background:hsl(${Math.round(120 - 120 * b)},70%,${Math.round(88 - 18 * b)}%)"`;
  return `<span class="heat"${style}>${text}</span>`;
}

export function slicesPage(d: SlicesData): PageBody {
  const o = d.overall;
  const cols: [keyof SliceMetrics, string, (v: number | null) => string][] = [
    ['completion_rate', 'completion', pct],
    ['strong_completion_rate', 'strong completion', pct],
    ['completion_gap', 'weak − strong gap', pct],
    ['latency_p95_ms', 'p95', ms],
    ['error_rate', 'error rate', pct],
    ['cost_per_successful_task_usd', 'cost / success', usd],
    ['satisfaction_index', 'satisfaction index', (v) => num(v, 2)],
  ];
  const rows = d.slices.map((s) => [
    `<a href="${chartLink(d.project, 'strong_completion_rate', s.dimension, s.value)}">${escapeHtml(sliceLabel(s.dimension, s.value))}</a>`,
    String(s.trace_count),
    ...cols.map(([key, , f]) =>
      heatCell(
        String(key),
        f(s[key] as number | null),
        s[key] as number | null,
        o[key as keyof PeriodMetrics] as number | null,
      ),
    ),
  ]);
  const body = `${filterForm(d.project, [
    { name: 'since', label: 'since', value: '' },
    { name: 'until', label: 'until', value: '' },
  ])}
<p class="muted">${iso(d.range.from)} → ${iso(d.range.to)}, from the stored windows and rollups. Worst strong completion first; each cell is coloured against the overall value (overall: completion ${pct(o.completion_rate)}, strong ${pct(o.strong_completion_rate)}, gap ${pct(o.completion_gap)}, satisfaction index ${num(o.satisfaction_index, 2)}).</p>
${table(['slice', 'traces', ...cols.map((c) => c[1])], rows, 'heatmap')}`;
  return { title: 'Slices', body, charts: [] };
}

export function alertsPage(d: AlertsData): PageBody {
  const t = d.timeline;
  const decisionsOf = (id: string) => t.decisions.filter((x) => x.alert_id === id);
  const deliveryOf = (id: string) => t.deliveries.filter((x) => x.alert_id === id);
  const rows = t.changes.map((c) => {
    const decisions = decisionsOf(c.alert_id);
    const notifications = new Set(decisions.map((x) => x.notification_id).filter(Boolean));
    const attempts = t.attempts.filter((a) => notifications.has(a.notification_id));
    return [
      iso(c.occurred_at),
      `<span class="state ${escapeHtml(c.state)}">${escapeHtml(c.state)}</span>`,
      `<span class="sev ${escapeHtml(c.severity)}">${escapeHtml(c.severity)}</span>`,
      escapeHtml(c.metric),
      `<a href="${chartLink(d.project, c.metric, c.slice_dimension, c.slice_value)}${qs({ since: iso(c.occurred_at - 3_600_000), until: iso(c.occurred_at + 1_800_000) }).replace('?', '&')}">${escapeHtml(sliceLabel(c.slice_dimension, c.slice_value))}</a>`,
      escapeHtml(c.message),
      decisions
        .map((x) => escapeHtml(x.reason + (x.silence_id ? ` (${x.silence_id})` : '')))
        .join('<br>') || '<span class="muted">none yet</span>',
      [
        ...deliveryOf(c.alert_id).map((x) =>
          escapeHtml(
            `${x.channel}: ${x.status} after ${x.attempts} attempt(s)${x.last_error ? ` – ${x.last_error}` : ''}`,
          ),
        ),
        ...attempts.map((a) =>
          escapeHtml(
            `${iso(a.attempted_at)} round ${a.round} attempt ${a.attempt}: ${a.outcome} ${a.http_status || ''}${a.error ? ` – ${a.error}` : ''}`,
          ),
        ),
      ].join('<br>') || '<span class="muted">none</span>',
    ];
  });
  const x = [...t.changes].reverse();
  const timeline: ChartSpec = {
    el: 'alert-timeline',
    kind: 'line',
    title: 'Alert state changes',
    x: x.map((c) => sec(c.occurred_at)),
    series: [
      {
        label: 'critical fired',
        kind: 'points',
        color: '#b91c1c',
        values: x.map((c) => (c.state === 'firing' && c.severity === 'critical' ? 3 : null)),
      },
      {
        label: 'warning fired',
        kind: 'points',
        color: '#f59e0b',
        values: x.map((c) => (c.state === 'firing' && c.severity === 'warning' ? 2 : null)),
      },
      {
        label: 'info fired',
        kind: 'points',
        color: '#2563eb',
        values: x.map((c) => (c.state === 'firing' && c.severity === 'info' ? 1 : null)),
      },
      {
        label: 'resolved',
        kind: 'points',
        color: '#15803d',
        values: x.map((c) => (c.state !== 'firing' ? 0 : null)),
      },
    ],
  };
  const body = `${filterForm(d.project, [
    { name: 'since', label: 'since', value: '' },
    { name: 'until', label: 'until', value: '' },
  ])}
<p class="muted">${iso(d.range.from)} → ${iso(d.range.to)}. Each state change with what the notifier decided and every delivery attempt; the slice links to the control chart that fired.</p>
${x.length > 0 ? '<div class="chart" id="alert-timeline"></div>' : ''}
<h2>Open alerts (${d.open_alerts.length})</h2>
${table(
  ['since', 'severity', 'metric', 'slice', 'value', 'baseline'],
  d.open_alerts.map((a) => [
    iso(a.occurred_at),
    `<span class="sev ${escapeHtml(a.severity)}">${escapeHtml(a.severity)}</span>`,
    escapeHtml(a.metric),
    `<a href="${chartLink(d.project, a.metric, a.slice_dimension, a.slice_value)}">${escapeHtml(sliceLabel(a.slice_dimension, a.slice_value))}</a>`,
    num(a.current_value, 3),
    num(a.baseline, 3),
  ]),
)}
<h2>State changes (${t.changes.length})</h2>
${table(['time', 'state', 'severity', 'metric', 'slice', 'message', 'notifier', 'delivery'], rows, 'alert-log')}
<h2>Silences (${d.silences.length})</h2>
${table(
  ['id', 'active', 'scope', 'from', 'until', 'matchers', 'reason'],
  d.silences.map((s) => [
    escapeHtml(s.id),
    s.active ? 'yes' : 'no',
    s.scope,
    escapeHtml(s.starts_at),
    escapeHtml(s.ends_at),
    `<code>${escapeHtml(JSON.stringify(s.matchers))}</code>`,
    escapeHtml(s.reason),
  ]),
)}
<h2>Baseline resets (${t.resets.length})</h2>
${table(
  ['time', 'by', 'metric', 'slice', 'reason'],
  t.resets.map((r) => [
    iso(r.requested_at),
    escapeHtml(r.requested_by),
    escapeHtml(r.metric || '(every metric)'),
    escapeHtml(r.slice_dimension ? sliceLabel(r.slice_dimension, r.slice_value) : '(every slice)'),
    escapeHtml(r.reason),
  ]),
)}`;
  return { title: 'Alerts', body, charts: x.length > 0 ? [timeline] : [] };
}

export function tracesPage(
  project: string,
  query: Record<string, string | number | undefined>,
  range: { from: number; to: number },
  traces: TraceListItem[],
): PageBody {
  const form = filterForm(project, [
    { name: 'since', label: 'since', value: String(query.since ?? '') },
    { name: 'until', label: 'until', value: String(query.until ?? '') },
    { name: 'task_type', label: 'task type', value: String(query.task_type ?? '') },
    {
      name: 'outcome',
      label: 'outcome',
      value: String(query.outcome ?? 'any'),
      options: ['any', 'success', 'failure'],
    },
    {
      name: 'error_type',
      label: 'error type',
      value: String(query.error_type ?? ''),
      options: ['', ...TraceErrorTypeSchema.options],
    },
    { name: 'user_id', label: 'user', value: String(query.user_id ?? '') },
  ]);
  const rows = traces.map((t) => [
    iso(t.started_at),
    `<a href="/traces/${encodeURIComponent(t.trace_id)}${qs({ project })}">${escapeHtml(t.trace_id)}</a>`,
    escapeHtml(t.task_type || 'unknown'),
    escapeHtml(t.user_id || '-'),
    t.failed ? '<span class="worse">failure</span>' : 'success',
    escapeHtml(t.error_types.join(', ') || '-'),
    ms(t.duration_ms),
    usd(t.cost_usd),
    t.sampled ? String(t.span_count) : `<span class="muted">${t.span_count} (not kept)</span>`,
  ]);
  const body = `${form}<p class="muted">${iso(range.from)} → ${iso(range.to)}; newest first, ${traces.length} shown. Spans are kept for every failure and a sample of successes.</p>
${table(['started', 'trace', 'task type', 'user', 'outcome', 'errors', 'duration', 'cost', 'spans'], rows, 'trace-list')}`;
  return { title: 'Traces', body, charts: [] };
}

export function tracePage(project: string, detail: TraceDetail, verdict: string | null): PageBody {
  const s = detail.summary;
  const outcome = [
    s.completed ? 'completed' : 'not completed',
    s.strong_completion ? 'strong completion' : 'not a strong completion',
    s.rating !== 'none' && `rated ${s.rating}`,
    s.corrected && 'corrected',
    s.escalated && 'escalated',
    s.timed_out && 'timed out',
    s.abandoned && 'abandoned',
    s.safety_flagged && 'safety flagged',
    s.hallucination_caught && 'hallucination caught',
  ].filter(Boolean);
  const feedback = [
    s.accepted && 'accepted without correction (+)',
    s.output_copied && 'output copied (strong +)',
    s.follow_up && 'follow-up elaborating (+)',
    s.corrected && 'immediate correction (−)',
    s.abandoned && 'abandoned (−)',
    s.rating !== 'none' && `explicit rating: ${s.rating}`,
  ].filter(Boolean);
  const errors = Object.entries(s.error_types).filter(([, v]) => v > 0);
  const head = table(
    ['field', 'value'],
    [
      ['trace', `${escapeHtml(s.trace_id)} (revision ${s.revision})`],
      ['time', `${iso(s.started_at)} → ${iso(s.ended_at)} (${ms(s.duration_ms)})`],
      ['user / session', `${escapeHtml(s.user_id ?? '-')} / ${escapeHtml(s.session_id ?? '-')}`],
      [
        'task type / segment / platform',
        escapeHtml(
          `${s.task_type ?? 'unknown'} / ${s.user_segment ?? 'unknown'} / ${s.platform ?? 'unknown'}`,
        ),
      ],
      [
        'model / agent version',
        escapeHtml(`${s.model_version ?? 'unknown'} / ${s.agent_version ?? 'unknown'}`),
      ],
      ['outcome', escapeHtml(outcome.join(', '))],
      ['outcome events and feedback', escapeHtml(feedback.join('; ') || 'none received')],
      ['errors', escapeHtml(errors.map(([t, v]) => `${t} ×${v}`).join(', ') || 'none')],
      ['tokens in / out', `${s.input_tokens} / ${s.output_tokens}`],
      ['cost', usd(s.cost_usd)],
      [
        'spans / llm / tool calls (errors) / steps',
        `${s.span_count} / ${s.llm_call_count} / ${s.tool_call_count} (${s.tool_error_count}) / ${s.step_count}`,
      ],
      [
        'sampled',
        `${s.sampled ? 'yes' : 'no'} (${escapeHtml(s.sampling_rule)})${s.flags.length ? `; flags ${escapeHtml(s.flags.join(', '))}` : ''}`,
      ],
      ['review verdict', escapeHtml(verdict ?? 'none')],
      ['final output', `<pre>${escapeHtml((s.final_output ?? '').slice(0, 2000) || '-')}</pre>`],
    ],
    'trace-summary',
  );
  let waterfall =
    '<p class="muted">No spans kept for this trace (only failures and a sample of successes keep theirs).</p>';
  if (detail.spans.length > 0) {
    const t0 = Math.min(...detail.spans.map((x) => x.start_time));
    const t1 = Math.max(...detail.spans.map((x) => x.end_time));
    const total = Math.max(1, t1 - t0);
    const rows = spanTree(detail.spans)
      .map(({ depth, span }) => {
        const a = span.attributes as Record<string, unknown>;
        const left = ((span.start_time - t0) / total) * 100;
        const width = Math.max(0.3, ((span.end_time - span.start_time) / total) * 100);
        const tokens =
          a.input_tokens !== undefined || a.output_tokens !== undefined
            ? `${Number(a.input_tokens ?? 0)} → ${Number(a.output_tokens ?? 0)} tok`
            : '';
        const tool = a.tool_name ? String(a.tool_name) : '';
        const input =
          a.tool_input !== undefined
            ? String(typeof a.tool_input === 'string' ? a.tool_input : JSON.stringify(a.tool_input))
            : '';
        const error =
          span.status === 'ERROR'
            ? `<span class="worse">ERROR${span.error_type ? ` ${escapeHtml(span.error_type)}` : ''}${span.error_message ? `: ${escapeHtml(span.error_message.slice(0, 200))}` : ''}</span>`
            : '';
        const label = `${escapeHtml(span.operation)}${span.name ? ` ${escapeHtml(span.name)}` : tool ? ` ${escapeHtml(tool)}` : ''}`;
        return `<div class="span-row${span.status === 'ERROR' ? ' error' : ''}" data-span-id="${escapeHtml(span.span_id)}">
<div class="span-label" style="padding-left:${depth * 14}px" title="${escapeHtml(span.span_id)}">${label}</div>
<div class="span-track"><div class="span-bar ${escapeHtml(span.operation)}" style="left:${left.toFixed(2)}%;width:${width.toFixed(2)}%"></div></div>
<div class="span-meta">${ms(span.end_time - span.start_time)} ${escapeHtml(tokens)} ${a.model ? escapeHtml(String(a.model)) : ''} ${error}${input ? `<div class="tool-input"><code>${escapeHtml(input.slice(0, 500))}</code></div>` : ''}</div>
</div>`;
      })
      .join('\n');
    waterfall = `<p class="muted">${detail.spans.length} spans (${escapeHtml(detail.spans_source)}), ${ms(t1 - t0)} from ${iso(t0)}.</p><div class="waterfall" data-span-count="${detail.spans.length}">${rows}</div>`;
  }
  return {
    title: `Trace ${s.trace_id}`,
    body: `${head}<h2>Span waterfall</h2>${waterfall}<p><a href="/traces${qs({ project })}">← traces</a></p>`,
    charts: [],
  };
}

export function reviewPage(d: ReviewData): PageBody {
  const label: Record<string, string> = {
    good: 'good',
    bad: 'bad',
    add_to_eval_set: 'add to eval set',
  };
  const rows = d.items.map((item) => {
    const buttons = (['good', 'bad', 'add_to_eval_set'] as const)
      .map(
        (v) =>
          `<button name="verdict" value="${v}"${item.verdict === v ? ' class="chosen"' : ''}>${label[v]}</button>`,
      )
      .join(' ');
    return [
      `<a href="/traces/${encodeURIComponent(item.trace_id)}${qs({ project: d.project })}">${escapeHtml(item.trace_id)}</a>`,
      escapeHtml(item.task_type),
      item.outcome === 'failure' ? '<span class="worse">failure</span>' : 'success',
      item.verdict
        ? `${escapeHtml(label[item.verdict])} <span class="muted">by ${escapeHtml(item.reviewer)}</span>`
        : '<span class="muted">not reviewed</span>',
      `<form method="post" action="/review/${encodeURIComponent(item.trace_id)}" class="verdict"><input type="hidden" name="project" value="${escapeHtml(d.project)}"><input name="note" placeholder="note" value="${escapeHtml(item.note)}"> ${buttons}</form>`,
    ];
  });
  const body = `<p class="muted">The weekly report's pick for ${iso(d.week.from)} → ${iso(d.week.to)}: kept traces stratified by task type and outcome. "Add to eval set" puts a trace first in the eval-candidate export (<a href="/export${qs({ project: d.project })}">Export</a>, <code>agentmon eval-candidates</code>).</p>
${table(['trace', 'task type', 'outcome', 'verdict', 'decide'], rows, 'review-list')}`;
  return { title: 'Review', body, charts: [] };
}

export function exportPage(project: string): PageBody {
  const body = `<p>The eval-candidate export as JSON lines, with the filters of <code>agentmon eval-candidates</code>: traces reviewers marked "add to eval set" first, then failures by error type, then a sample of successes, each with its full spans. The download does not mark traces as exported (the CLI's export does).</p>
<form method="get" action="/export.jsonl" class="filters export">
<input type="hidden" name="project" value="${escapeHtml(project)}">
<label>since <input name="since" value="7d"></label>
<label>until <input name="until" value=""></label>
<label>task type <input name="task_type" value=""></label>
<label>limit <input name="limit" value="100"></label>
<label>successes <input name="successes" value=""></label>
<label><input type="checkbox" name="include_exported" value="1"> include traces exported before</label>
<button>Download JSONL</button></form>`;
  return { title: 'Export', body, charts: [] };
}

export function loginPage(next: string, error: string | null): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in · AgentMon</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="/assets/console.css"></head>
<body class="login"><main><h1>AgentMon console</h1>
${error ? `<p class="worse">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/login"><input type="hidden" name="next" value="${escapeHtml(next)}">
<label>Console token <input type="password" name="token" autocomplete="current-password" autofocus></label>
<button>Sign in</button></form></main></body></html>`;
}

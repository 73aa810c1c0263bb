import {
  combinePartials,
  DAY_MS,
  HOUR_MS,
  mergePartials,
  rollupPartials,
  WindowAggregator,
  type PartialWindow,
} from '@agentmon/aggregator-domain';
import { toTraceSummaryRow } from '@agentmon/clickhouse';
import type { MetricWindow, TraceSummary } from '@agentmon/contracts';

/**
 * The metric_windows rows the aggregator app stores for `traces`, produced by the same domain
 * calls its WindowMerger makes (apps/aggregator/src/consumer/window-merger.ts): per minute
 * window mergePartials + combinePartials (the combined partial rides on the overall row), then
 * hourly and daily rollups re-merged from the combined partials. The row shape mirrors
 * apps/aggregator/src/sinks/metric-window-rows.ts (apps cannot be imported from libs).
 */
export function storedWindowRows(
  traces: readonly TraceSummary[],
  options: { partitions?: number; windowSizeMs?: number } = {},
): Record<string, unknown>[] {
  const partitions = options.partitions ?? 3;
  const aggregator = new WindowAggregator({ windowSizeMs: options.windowSizeMs ?? 60_000 });
  const partials: PartialWindow[] = [];
  const sorted = [...traces].sort((a, b) => a.ended_at - b.ended_at);
  const offsets = new Map<number, number>();
  let last = 0;
  sorted.forEach((summary, i) => {
    const partition = i % partitions;
    const offset = offsets.get(partition) ?? 0;
    offsets.set(partition, offset + 1);
    last = Math.max(last, summary.closed_at);
    aggregator.ingest({ partition, offset, summary }, summary.closed_at);
  });
  partials.push(...aggregator.poll(last + 1e9));
  const byWindow = new Map<string, PartialWindow[]>();
  for (const p of partials) {
    const key = `${p.project_id}\u0000${p.window_start}`;
    byWindow.set(key, [...(byWindow.get(key) ?? []), p]);
  }
  const rows: Record<string, unknown>[] = [];
  const minuteCombined: PartialWindow[] = [];
  for (const group of byWindow.values()) {
    const windows = mergePartials(group, { computedAt: 1, revision: group.length });
    const [combined] = combinePartials(group, { revision: group.length });
    minuteCombined.push(combined!);
    windows.forEach((w, i) => rows.push(toRow(w, i === 0 ? combined : undefined)));
  }
  const rollup = (inputs: PartialWindow[], size: number): PartialWindow[] => {
    const buckets = new Map<string, PartialWindow[]>();
    for (const p of inputs) {
      const key = `${p.project_id}\u0000${Math.floor(p.window_start / size)}`;
      buckets.set(key, [...(buckets.get(key) ?? []), p]);
    }
    const out: PartialWindow[] = [];
    for (const bucket of buckets.values()) {
      const windows = rollupPartials(bucket, size, { computedAt: 1 });
      const [partial] = combinePartials(bucket, {
        revision: windows[0]!.revision,
        windowSizeMs: size,
      });
      windows.forEach((w, i) => rows.push(toRow(w, i === 0 ? partial : undefined)));
      out.push(partial!);
    }
    return out;
  };
  rollup(rollup(minuteCombined, HOUR_MS), DAY_MS);
  return rows;
}

const z = (v: number | null | undefined) => v ?? 0;

function toRow(w: MetricWindow, partial?: PartialWindow): Record<string, unknown> {
  const c = w.error_type_counts;
  const r = w.error_type_rates;
  return {
    project_id: w.project_id,
    window_start_ms: w.window_start,
    window_size_s: Math.round(w.window_size_ms / 1000),
    metric_group: w.metric_group,
    slice_dimension: w.slice.dimension,
    slice_value: w.slice.value,
    revision: w.revision,
    computed_at_ms: w.computed_at,
    trace_count: w.trace_count,
    completed_count: w.completed_count,
    strong_completed_count: w.strong_completed_count,
    completion_rate: z(w.completion_rate),
    strong_completion_rate: z(w.strong_completion_rate),
    completion_gap: z(w.completion_gap),
    latency_p50_ms: z(w.latency_p50_ms),
    latency_p95_ms: z(w.latency_p95_ms),
    latency_p99_ms: z(w.latency_p99_ms),
    cost_total_usd: w.cost_total_usd,
    cost_avg_usd: z(w.cost_avg_usd),
    cost_per_successful_task_usd: z(w.cost_per_successful_task_usd),
    tool_call_count: w.tool_call_count,
    tool_error_count: w.tool_error_count,
    error_rate: z(w.error_rate),
    tool_failure_rate: z(r.tool_failure),
    llm_refusal_rate: z(r.llm_refusal),
    timeout_rate: z(r.timeout),
    abandonment_rate: z(r.user_abandonment),
    hallucination_rate: z(r.hallucination_caught),
    avg_tool_calls: z(w.avg_tool_calls),
    avg_steps: z(w.avg_steps),
    avg_tokens: z(w.avg_tokens),
    traffic_share: z(w.traffic_share),
    step_count: w.step_count,
    input_tokens: w.input_tokens,
    output_tokens: w.output_tokens,
    tool_failure_count: c.tool_failure,
    llm_refusal_count: c.llm_refusal,
    timeout_count: c.timeout,
    abandonment_count: c.user_abandonment,
    hallucination_count: c.hallucination_caught,
    safety_flagged_count: z(w.safety_flagged_count),
    window_json: JSON.stringify(w),
    partial_json: partial === undefined ? '' : JSON.stringify(partial),
  };
}

/** Varied traces over [from, from + spanMs): task types, outcomes, errors, latencies, costs. */
export function variedSummaries(
  project: string,
  count: number,
  from: number,
  spanMs: number,
  base: TraceSummary,
): TraceSummary[] {
  const tasks = ['code_review', 'support', 'research', 'billing'];
  const platforms = ['web', 'ios', 'api'];
  return Array.from({ length: count }, (_, i) => {
    const ended = from + Math.floor(((i * 7919) % count) * (spanMs / count)) + (i % 50);
    const duration = 500 + ((i * 37) % 200) * 97 + (i % 23 === 0 ? 150_000 : 0);
    const toolCalls = i % 5;
    const toolErrors = i % 9 === 0 ? Math.min(1, toolCalls) : 0;
    const completed = i % 11 !== 0;
    const negative = i % 13 === 0;
    const positive = !negative && i % 19 === 0;
    const corrected = i % 6 === 0;
    const escalated = i % 29 === 0;
    const timedOut = i % 31 === 0;
    const errorTypes = {
      tool_failure: toolErrors,
      llm_refusal: i % 17 === 0 ? 1 : 0,
      timeout: timedOut ? 1 : 0,
      user_abandonment: !completed && i % 2 === 0 ? 1 : 0,
      hallucination_caught: i % 37 === 0 ? 1 : 0,
    };
    const errorCount = Object.values(errorTypes).reduce((s, v) => s + v, 0);
    return {
      ...base,
      trace_id: `${project}-t${i}`,
      project_id: project,
      started_at: ended - duration,
      ended_at: ended,
      closed_at: ended + 1000,
      duration_ms: duration,
      completed,
      weak_completion: completed,
      strong_completion: completed && !negative && !escalated,
      rating: negative ? 'negative' : positive ? 'positive' : 'none',
      corrected,
      accepted: !corrected,
      abandoned: !completed && i % 2 === 0,
      output_copied: i % 4 === 0,
      follow_up: i % 7 === 0,
      escalated,
      timed_out: timedOut,
      task_type: tasks[i % tasks.length]!,
      platform: platforms[i % platforms.length]!,
      tool_call_count: toolCalls,
      tool_error_count: toolErrors,
      step_count: 1 + (i % 4),
      input_tokens: 1000 + (i % 7) * 100,
      output_tokens: 200 + (i % 5) * 50,
      error_types: errorTypes,
      error_count: errorCount,
      cost_usd: Math.round((0.001 + (i % 13) * 0.0007) * 1e6) / 1e6,
      sampled: errorCount > 0 || !completed || negative || escalated || timedOut || i % 10 === 0,
      sampling_rule:
        errorCount > 0 || !completed || negative || escalated || timedOut
          ? 'failure'
          : i % 10 === 0
            ? 'random_success'
            : 'unsampled',
      previous_contribution: undefined,
    };
  });
}

/** A trace_summaries row as the sessionizer stores it. */
export const summaryRow = (s: TraceSummary): Record<string, unknown> => toTraceSummaryRow(s);

/**
 * Spans rows (apps/sessionizer/src/sinks/span-rows.ts) for a kept trace: a root agent_step, one
 * llm_call, then its tool calls, the first of them ERROR when the trace had a tool failure.
 */
export function spanRows(s: TraceSummary): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  const span = (
    id: string,
    parent: string,
    operation: string,
    start: number,
    end: number,
    extra: Record<string, unknown> = {},
  ) =>
    rows.push({
      project_id: s.project_id,
      trace_id: s.trace_id,
      span_id: id,
      parent_span_id: parent,
      operation,
      name: '',
      start_time_ms: start,
      end_time_ms: end,
      duration_ms: end - start,
      status: 'OK',
      error_message: '',
      error_type: '',
      model: '',
      input_tokens: 0,
      output_tokens: 0,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
      tool_name: '',
      attributes_json: '{}',
      events_json: '[]',
      ...extra,
    });
  const t0 = s.started_at;
  const d = s.duration_ms;
  span(`${s.trace_id}-root`, '', 'agent_step', t0, s.ended_at);
  span(`${s.trace_id}-llm`, `${s.trace_id}-root`, 'llm_call', t0, t0 + Math.floor(d / 2), {
    model: 'claude-sonnet-4',
    input_tokens: s.input_tokens,
    output_tokens: s.output_tokens,
    attributes_json: JSON.stringify({
      model: 'claude-sonnet-4',
      input_tokens: s.input_tokens,
      output_tokens: s.output_tokens,
    }),
  });
  for (let k = 0; k < s.tool_call_count; k += 1) {
    const failed = k === 0 && s.tool_error_count > 0;
    span(
      `${s.trace_id}-tool${k}`,
      `${s.trace_id}-root`,
      'tool_call',
      t0 + Math.floor(d / 2) + k,
      s.ended_at - 1,
      {
        tool_name: 'search',
        attributes_json: JSON.stringify({ tool_name: 'search' }),
        ...(failed
          ? { status: 'ERROR', error_type: 'tool_failure', error_message: 'search timed out' }
          : {}),
      },
    );
  }
  return rows;
}

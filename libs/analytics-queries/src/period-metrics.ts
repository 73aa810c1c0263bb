import {
  mergePartials,
  type PartialWindow,
  type SatisfactionWeights,
} from '@agentmon/aggregator-domain';
import type { ErrorTypeCounts, ErrorTypeRates, MetricWindow } from '@agentmon/contracts';
import type { TimeRange } from './time-range';

/** Every metric of one series over a period, keyed as in the MetricWindow contract. */
export interface PeriodMetrics {
  trace_count: number;
  completed_count: number;
  strong_completed_count: number;
  completion_rate: number | null;
  strong_completion_rate: number | null;
  completion_gap: number | null;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  latency_p99_ms: number | null;
  cost_total_usd: number;
  cost_avg_usd: number | null;
  cost_per_successful_task_usd: number | null;
  tool_call_count: number;
  tool_error_count: number;
  error_rate: number | null;
  error_type_counts: ErrorTypeCounts;
  error_type_rates: ErrorTypeRates;
  step_count: number;
  input_tokens: number;
  output_tokens: number;
  avg_tool_calls: number | null;
  avg_steps: number | null;
  avg_input_tokens: number | null;
  avg_output_tokens: number | null;
  avg_tokens: number | null;
  traffic_share: number | null;
  /** User satisfaction (libs/aggregator-domain/SATISFACTION.md): explicit ratings… */
  rating_positive_count: number;
  rating_negative_count: number;
  rating_coverage: number | null;
  positive_share: number | null;
  positive_share_low: number | null;
  positive_share_high: number | null;
  /** …and the implicit signals, each as a share of traces, with their index in [−1, 1]. */
  accepted_rate: number | null;
  corrected_rate: number | null;
  abandoned_rate: number | null;
  follow_up_rate: number | null;
  copied_rate: number | null;
  satisfaction_index: number | null;
}

export interface SliceMetrics extends PeriodMetrics {
  dimension: string;
  value: string;
}

export interface PeriodSummary {
  from: number;
  to: number;
  /** Stored windows merged (rollups count once). */
  windows_merged: number;
  overall: PeriodMetrics;
  /** Worst first: lowest strong completion, then most traces. */
  slices: SliceMetrics[];
}

function metricsOf(window: MetricWindow): PeriodMetrics {
  return {
    trace_count: window.trace_count,
    completed_count: window.completed_count,
    strong_completed_count: window.strong_completed_count,
    completion_rate: window.completion_rate,
    strong_completion_rate: window.strong_completion_rate,
    completion_gap: window.completion_gap,
    latency_p50_ms: window.latency_p50_ms,
    latency_p95_ms: window.latency_p95_ms,
    latency_p99_ms: window.latency_p99_ms,
    cost_total_usd: window.cost_total_usd,
    cost_avg_usd: window.cost_avg_usd,
    cost_per_successful_task_usd: window.cost_per_successful_task_usd,
    tool_call_count: window.tool_call_count,
    tool_error_count: window.tool_error_count,
    error_rate: window.error_rate,
    error_type_counts: window.error_type_counts,
    error_type_rates: window.error_type_rates,
    step_count: window.step_count,
    input_tokens: window.input_tokens,
    output_tokens: window.output_tokens,
    avg_tool_calls: window.avg_tool_calls,
    avg_steps: window.avg_steps,
    avg_input_tokens: window.avg_input_tokens,
    avg_output_tokens: window.avg_output_tokens,
    avg_tokens: window.avg_tokens,
    traffic_share: window.traffic_share ?? null,
    rating_positive_count: window.rating_positive_count ?? 0,
    rating_negative_count: window.rating_negative_count ?? 0,
    rating_coverage: window.rating_coverage ?? null,
    positive_share: window.positive_share ?? null,
    positive_share_low: window.positive_share_low ?? null,
    positive_share_high: window.positive_share_high ?? null,
    accepted_rate: window.accepted_rate ?? null,
    corrected_rate: window.corrected_rate ?? null,
    abandoned_rate: window.abandoned_rate ?? null,
    follow_up_rate: window.follow_up_rate ?? null,
    copied_rate: window.copied_rate ?? null,
    satisfaction_index: window.satisfaction_index ?? null,
  };
}

/** The metrics of a period without traffic. */
export function emptyPeriodMetrics(): PeriodMetrics {
  return summarizePartials([], { from: 0, to: 1 }).overall;
}

/** Worst first: lowest strong completion (no traces last), then most traces, then name. */
export function compareSlicesWorstFirst(a: SliceMetrics, b: SliceMetrics): number {
  const ra = a.strong_completion_rate ?? Infinity;
  const rb = b.strong_completion_rate ?? Infinity;
  return (
    ra - rb ||
    b.trace_count - a.trace_count ||
    a.dimension.localeCompare(b.dimension) ||
    a.value.localeCompare(b.value)
  );
}

/**
 * The combined partials of stored windows (the overall rows' `partial_json`: minute windows and
 * hourly/daily rollups, each window once) → the period's overall and per-slice metrics. Sums are
 * added and latency sketches merged bucket by bucket by the aggregator's own merge
 * (`mergePartials`), so the period's p99 is a sketch quantile of every trace in it, not an
 * average of window p99s. Partials of several projects merge into one series (cross-project
 * view). `maxValuesPerDimension` bounds slice values exactly as the aggregator does.
 */
export function summarizePartials(
  partials: readonly PartialWindow[],
  range: TimeRange,
  options: {
    maxValuesPerDimension?: number;
    minSliceTraces?: number;
    satisfactionWeights?: SatisfactionWeights;
  } = {},
): PeriodSummary {
  // One bucket: every partial re-stamped to the same 1 ms window of one pseudo project.
  const normalized = partials.map((p) => ({
    ...p,
    project_id: '*',
    window_start: 0,
    window_size_ms: 1,
  }));
  const [overallWindow, ...sliceWindows] =
    normalized.length === 0
      ? mergePartials([emptyPartial()], { computedAt: 0, windowSizeMs: 1 })
      : mergePartials(normalized, {
          computedAt: 0,
          windowSizeMs: 1,
          maxValuesPerDimension: options.maxValuesPerDimension,
          satisfactionWeights: options.satisfactionWeights,
        });
  const minTraces = options.minSliceTraces ?? 1;
  const slices = sliceWindows
    .filter((w) => w.trace_count >= minTraces)
    .map((w) => ({ dimension: w.slice.dimension, value: w.slice.value, ...metricsOf(w) }))
    .sort(compareSlicesWorstFirst);
  return {
    from: range.from,
    to: range.to,
    windows_merged: partials.length,
    overall: metricsOf(overallWindow!),
    slices,
  };
}

function emptyPartial(): PartialWindow {
  return {
    partition: -1,
    project_id: '*',
    window_start: 0,
    window_size_ms: 1,
    generation: 0,
    from_offset: -1,
    through_offset: -1,
    cells: [],
  };
}

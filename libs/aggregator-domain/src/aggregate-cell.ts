import type { ErrorTypeCounts, SliceDimension, TraceContribution } from '@agentmon/contracts';
import { LatencySketch, type SerializedLatencySketch } from './latency-sketch';

/** USD are summed as integer nano-dollars: integer addition is associative, float is not. */
export const NANOS_PER_USD = 1e9;

export function usdToNanos(usd: number): number {
  return Math.round(usd * NANOS_PER_USD);
}

/** What one contribution adds besides its own fields, computed once per trace, not per slice. */
export interface PreparedContribution {
  latencyKey: number;
  costNanos: number;
  toolCostNanos: number;
}

/** Fills `into` when given (the hot path reuses one scratch object instead of allocating). */
export function prepareContribution(
  c: TraceContribution,
  into: PreparedContribution = { latencyKey: 0, costNanos: 0, toolCostNanos: 0 },
): PreparedContribution {
  into.latencyKey = LatencySketch.keyOf(c.duration_ms);
  into.costNanos = usdToNanos(c.cost_usd);
  into.toolCostNanos = usdToNanos(c.tool_cost_usd);
  return into;
}

/** The mergeable sums of one slice in one window, as JSON (a partial or a merged aggregate). */
export interface SerializedCell {
  dimension: SliceDimension;
  value: string;
  trace_count: number;
  completed_count: number;
  strong_completed_count: number;
  cost_nanos: number;
  tool_cost_nanos: number;
  tool_call_count: number;
  tool_error_count: number;
  step_count: number;
  input_tokens: number;
  output_tokens: number;
  /** Traces with at least one error of each type. */
  error_type_counts: ErrorTypeCounts;
  rating_positive_count: number;
  rating_negative_count: number;
  accepted_count: number;
  output_copied_count: number;
  follow_up_count: number;
  corrected_count: number;
  abandoned_count: number;
  latency: SerializedLatencySketch;
}

/**
 * Sums of one slice in one window. Every field is a plain count or integer so adding and
 * subtracting contributions, and merging cells from any number of partitions, is exact.
 * Fields rather than a record keep the hot path monomorphic and allocation-free.
 */
export class AggregateCell {
  traceCount = 0;
  completedCount = 0;
  strongCompletedCount = 0;
  costNanos = 0;
  toolCostNanos = 0;
  toolCallCount = 0;
  toolErrorCount = 0;
  stepCount = 0;
  inputTokens = 0;
  outputTokens = 0;
  toolFailureTraces = 0;
  llmRefusalTraces = 0;
  timeoutTraces = 0;
  userAbandonmentTraces = 0;
  hallucinationCaughtTraces = 0;
  ratingPositiveCount = 0;
  ratingNegativeCount = 0;
  acceptedCount = 0;
  outputCopiedCount = 0;
  followUpCount = 0;
  correctedCount = 0;
  abandonedCount = 0;
  readonly latency = new LatencySketch();

  static fromJSON(json: SerializedCell): AggregateCell {
    const cell = new AggregateCell();
    cell.traceCount = json.trace_count;
    cell.completedCount = json.completed_count;
    cell.strongCompletedCount = json.strong_completed_count;
    cell.costNanos = json.cost_nanos;
    cell.toolCostNanos = json.tool_cost_nanos;
    cell.toolCallCount = json.tool_call_count;
    cell.toolErrorCount = json.tool_error_count;
    cell.stepCount = json.step_count;
    cell.inputTokens = json.input_tokens;
    cell.outputTokens = json.output_tokens;
    cell.toolFailureTraces = json.error_type_counts.tool_failure;
    cell.llmRefusalTraces = json.error_type_counts.llm_refusal;
    cell.timeoutTraces = json.error_type_counts.timeout;
    cell.userAbandonmentTraces = json.error_type_counts.user_abandonment;
    cell.hallucinationCaughtTraces = json.error_type_counts.hallucination_caught;
    cell.ratingPositiveCount = json.rating_positive_count;
    cell.ratingNegativeCount = json.rating_negative_count;
    cell.acceptedCount = json.accepted_count;
    cell.outputCopiedCount = json.output_copied_count;
    cell.followUpCount = json.follow_up_count;
    cell.correctedCount = json.corrected_count;
    cell.abandonedCount = json.abandoned_count;
    cell.latency.merge(LatencySketch.fromJSON(json.latency));
    return cell;
  }

  /** Adds (sign 1) or retracts (sign −1) one trace's contribution. */
  add(c: TraceContribution, p: PreparedContribution, sign: 1 | -1): void {
    this.traceCount += sign;
    if (c.completed) this.completedCount += sign;
    if (c.strong_completion) this.strongCompletedCount += sign;
    this.costNanos += sign * p.costNanos;
    this.toolCostNanos += sign * p.toolCostNanos;
    this.toolCallCount += sign * c.tool_call_count;
    this.toolErrorCount += sign * c.tool_error_count;
    this.stepCount += sign * c.step_count;
    this.inputTokens += sign * c.input_tokens;
    this.outputTokens += sign * c.output_tokens;
    const e = c.error_types;
    if (e.tool_failure > 0) this.toolFailureTraces += sign;
    if (e.llm_refusal > 0) this.llmRefusalTraces += sign;
    if (e.timeout > 0) this.timeoutTraces += sign;
    if (e.user_abandonment > 0) this.userAbandonmentTraces += sign;
    if (e.hallucination_caught > 0) this.hallucinationCaughtTraces += sign;
    if (c.rating === 'positive') this.ratingPositiveCount += sign;
    else if (c.rating === 'negative') this.ratingNegativeCount += sign;
    if (c.accepted) this.acceptedCount += sign;
    if (c.output_copied) this.outputCopiedCount += sign;
    if (c.follow_up) this.followUpCount += sign;
    if (c.corrected) this.correctedCount += sign;
    if (c.abandoned) this.abandonedCount += sign;
    this.latency.addKey(p.latencyKey, sign);
  }

  merge(o: AggregateCell): void {
    this.traceCount += o.traceCount;
    this.completedCount += o.completedCount;
    this.strongCompletedCount += o.strongCompletedCount;
    this.costNanos += o.costNanos;
    this.toolCostNanos += o.toolCostNanos;
    this.toolCallCount += o.toolCallCount;
    this.toolErrorCount += o.toolErrorCount;
    this.stepCount += o.stepCount;
    this.inputTokens += o.inputTokens;
    this.outputTokens += o.outputTokens;
    this.toolFailureTraces += o.toolFailureTraces;
    this.llmRefusalTraces += o.llmRefusalTraces;
    this.timeoutTraces += o.timeoutTraces;
    this.userAbandonmentTraces += o.userAbandonmentTraces;
    this.hallucinationCaughtTraces += o.hallucinationCaughtTraces;
    this.ratingPositiveCount += o.ratingPositiveCount;
    this.ratingNegativeCount += o.ratingNegativeCount;
    this.acceptedCount += o.acceptedCount;
    this.outputCopiedCount += o.outputCopiedCount;
    this.followUpCount += o.followUpCount;
    this.correctedCount += o.correctedCount;
    this.abandonedCount += o.abandonedCount;
    this.latency.merge(o.latency);
  }

  errorTypeCounts(): ErrorTypeCounts {
    return {
      tool_failure: this.toolFailureTraces,
      llm_refusal: this.llmRefusalTraces,
      timeout: this.timeoutTraces,
      user_abandonment: this.userAbandonmentTraces,
      hallucination_caught: this.hallucinationCaughtTraces,
    };
  }

  toJSON(dimension: SliceDimension, value: string): SerializedCell {
    return {
      dimension,
      value,
      trace_count: this.traceCount,
      completed_count: this.completedCount,
      strong_completed_count: this.strongCompletedCount,
      cost_nanos: this.costNanos,
      tool_cost_nanos: this.toolCostNanos,
      tool_call_count: this.toolCallCount,
      tool_error_count: this.toolErrorCount,
      step_count: this.stepCount,
      input_tokens: this.inputTokens,
      output_tokens: this.outputTokens,
      error_type_counts: this.errorTypeCounts(),
      rating_positive_count: this.ratingPositiveCount,
      rating_negative_count: this.ratingNegativeCount,
      accepted_count: this.acceptedCount,
      output_copied_count: this.outputCopiedCount,
      follow_up_count: this.followUpCount,
      corrected_count: this.correctedCount,
      abandoned_count: this.abandonedCount,
      latency: this.latency.toJSON(),
    };
  }
}

// Public API of @agentmon/aggregator-domain: pure event-time windows, slices, sketches and metric
// windows. No I/O: the aggregator app feeds trace records and processing time in, persists the
// partial windows it gets back and runs the merge step per series.
export {
  DEFAULT_AGGREGATOR_OPTIONS,
  resolveAggregatorOptions,
  type AggregatorOptions,
} from './aggregator-options';
export { WindowAggregator, type IngestOutcome, type TraceRecord } from './window-aggregator';
export type { PartialWindow } from './partial-window';
export {
  AggregateCell,
  NANOS_PER_USD,
  usdToNanos,
  prepareContribution,
  type PreparedContribution,
  type SerializedCell,
} from './aggregate-cell';
export {
  mergePartials,
  combinePartials,
  rollupPartials,
  HOUR_MS,
  DAY_MS,
  type MergeOptions,
} from './merge-partials';
export { deriveMetricWindow, type WindowIdentity } from './derive-metric-window';
export {
  DEFAULT_SATISFACTION_WEIGHTS,
  WILSON_Z_95,
  deriveSatisfaction,
  resolveSatisfactionWeights,
  satisfactionIndex,
  wilsonInterval,
  type SatisfactionCounts,
  type SatisfactionWeights,
} from './satisfaction';
export {
  LatencySketch,
  LATENCY_RELATIVE_ACCURACY,
  ZERO_BUCKET_KEY,
  type SerializedLatencySketch,
} from './latency-sketch';
export {
  OTHER_SLICE_VALUE,
  SLICE_DIMENSIONS,
  QUERY_LENGTH_BUCKETS,
  queryLengthBucket,
  userType,
  hourOfDay,
  sliceValue,
  type SlicedDimension,
} from './slice-values';
export { sliceValueHash, compareSliceRank } from './slice-value-rank';
export {
  TOOL_CALL_BUCKETS,
  TOOL_CALLS_MIX_KEY,
  toolCallBucketIndex,
  MixCounts,
  type SerializedMix,
} from './traffic-mix';

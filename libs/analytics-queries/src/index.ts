// Public API of @agentmon/analytics-queries: the one read layer over AgentMon's ClickHouse
// tables, shared by the `agentmon` CLI and the console. Pure helpers (period merging, covers,
// recommendations, review picks, time arguments) are exported for both and for tests.
export {
  AnalyticsQueries,
  FAILURE_CONDITION,
  type EvalCandidateQuery,
  type EvalCandidateRef,
  type EvalExportRecord,
  type OpenAlert,
  type OperationFailures,
  type ProjectScope,
  type RecentFailure,
  type TraceDetail,
} from './analytics-queries';
export {
  compareSlicesWorstFirst,
  emptyPeriodMetrics,
  summarizePartials,
  type PeriodMetrics,
  type PeriodSummary,
  type SliceMetrics,
} from './period-metrics';
export {
  DEFAULT_RECOMMENDATION_THRESHOLDS,
  recommendActions,
  type Recommendation,
  type RecommendationRule,
  type RecommendationThresholds,
} from './recommendations';
export { deliveryLabel } from './delivery-label';
export { pickReviewTraces, type ReviewCandidate } from './review-sample';
export {
  DEFAULT_SLICE_CHANGE_THRESHOLDS,
  worsenedSlices,
  type SliceChange,
  type SliceChangeThresholds,
} from './slice-changes';
export { toSpan, toTraceSummary, type StoredSpanRow, type StoredSummaryRow } from './stored-rows';
export {
  parseDuration,
  parseTimeArgument,
  resolveTimeRange,
  TimeArgumentError,
  type TimeRange,
} from './time-range';
export { coverRange, DAY_S, HOUR_S, type CoverSegment } from './window-cover';
export {
  ConsoleQueries,
  type AlertChange,
  type AlertDecision,
  type AlertDelivery,
  type AlertTimeline,
  type BaselineResetEntry,
  type DeliveryAttempt,
  type OverallPoint,
  type SliceRef,
  type TraceListItem,
  type TraceSearch,
  type VerdictRecord,
} from './console-queries';
export { spanTree, type WaterfallLine } from './span-tree';

// Public API of @agentmon/detector-domain: pure EWMA control charts, rules, trends and traffic drift. No I/O; `now` injected.
export {
  DAY_MS,
  DetectorEngine,
  evaluateChartRule,
  evaluateTrend,
  HOUR_MS,
  severityRank,
  stepTrack,
  WEEK_MS,
  type ApplyOutcome,
  type ApplyResult,
  type BaselineReset,
  type DetectorEngineOptions,
  type DetectorKind,
  type PointStatus,
} from './engine';
export {
  alertFingerprint,
  alertId,
  OVERALL_SLICE,
  pointFromMetricWindow,
  seriesKey,
  sliceText,
  type DetectorPoint,
} from './point';
export {
  DEFAULT_ADVERSARIAL_RULE,
  DEFAULT_CHART_RULES,
  DEFAULT_DRIFT_RULE,
  DEFAULT_FAST_PAGE_RULE,
  DEFAULT_SETTINGS,
  DEFAULT_TREND_RULES,
  DetectorRulesError,
  parseDetectorRules,
  resolveRules,
  type DetectorSettings,
  type EffectiveRules,
} from './rules';
export {
  createDetectorState,
  deserializeDetectorState,
  serializeDetectorState,
  type AlertTrack,
  type ChartCore,
  type DetectorState,
  type ProjectMixState,
  type SeriesState,
} from './state';
export { jensenShannon, linearFit, psi, shares } from './stats';
export {
  BASELINE_RESETS_KEPT,
  BASELINE_RESETS_STREAM,
  BaselineResetRecordSchema,
  parseSliceText,
  toBaselineReset,
  type BaselineResetRecord,
} from './baseline-reset';
export { chartLimits, replayChart, type ChartReplayPoint } from './chart-replay';
export { DETECTOR_SERIES_KEY_PREFIX } from './state';
export {
  detectorEngineFromConfig,
  type DetectorEngineVariables,
} from './detector-engine-from-config';

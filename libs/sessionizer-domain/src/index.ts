// Public API of @agentmon/sessionizer-domain: pure trace assembly, summaries, revisions and
// tail sampling. No I/O: the sessionizer app feeds records and time in and writes the results.
export * from './assembly-policy';
export * from './closed-trace';
export { TraceAssembler, type RecordPosition } from './trace-assembler';
export * from './price-table';
export { deriveSpanMetrics, spanErrorKind, type SpanMetrics } from './derive-span-metrics';
export { isStrongCompletion } from './feedback-state';
export { resolveTraceContext } from './resolve-trace-context';
export {
  buildTraceSummary,
  buildTraceSummaryWithDiagnostics,
  isFeedbackOnly,
  type BuiltTraceSummary,
  type SummaryDiagnostics,
  type SummaryEnrichment,
} from './build-trace-summary';
export {
  basisFromSummary,
  lateTraceRecords,
  MAX_SEEN_DIGESTS,
  reviseTrace,
  reviseTraceSummary,
  type LateTraceRecords,
  type RevisionBasis,
  type TraceRevision,
} from './revise-trace-summary';
export * from './late-promotion';
export { recordDigest } from './record-digest';
export * from './sampling-policy';
export { hashToUnitInterval } from './hash-to-unit-interval';
export {
  buildSummaries,
  floorClaims,
  planEmission,
  traceKeyId,
  tracesToLookUp,
  usersOf,
  type BuiltSummaries,
  type BuiltSummary,
  type EmissionContext,
  type EmissionPlan,
  type FloorClaim,
  type PlannedRevision,
  type SummaryContext,
  type TraceKey,
} from './emission-plan';

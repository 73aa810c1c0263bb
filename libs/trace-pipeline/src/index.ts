// Public API of @agentmon/trace-pipeline: gateway + sessionizer + ClickHouse for tests in which a
// real client sends traces and the summaries they became are read back (apart from
// @agentmon/testing, which libs/clickhouse's own tests use).
export {
  TracePipeline,
  type SpanTableRow,
  type SummaryRow,
  type TracePipelineOptions,
} from './trace-pipeline';

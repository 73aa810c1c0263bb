// Public API of @agentmon/sdk: what an agent imports to send its traces to AgentMon.
export { AgentMonClient, type AgentMonClientOptions } from './agentmon-client';
export {
  Trace,
  type EndTraceOptions,
  type StartSpanOptions,
  type StartToolCallOptions,
  type StartTraceOptions,
  type ToolResult,
  type TraceContextInput,
} from './trace';
export { Span } from './span';
export type { Feedback } from './feedback';
export type { AttributeInput } from './sanitize-attributes';
export type { TimeInput } from './time-input';
export type {
  ExportErrorEvent,
  ExportRejection,
  ExportStats,
  IngestIssue,
} from './export/export-stats';
export type { FetchLike } from './export/post-batch';
export {
  instrumentAnthropic,
  type AnthropicLike,
  type InstrumentAnthropicOptions,
  type TraceSource,
} from './anthropic/instrument-anthropic';

// Public API of @agentmon/contracts: every record schema, its inferred type, topic names and the
// parse helpers. Unknown-fields policy: every record object is strict (an unknown field is
// rejected and named); span `attributes` and span-event `attributes` are the only open maps,
// bounded in key count, key format and value size (see Limits).
export * from './limits';
export * from './well-formed';
export * from './contract-clock';
export * from './id.schema';
export * from './timestamp.schema';
export * from './bounded-string';
export * from './attribute-map.schema';
export * from './error-type.schema';
export * from './span-operation.schema';
export * from './span-attributes.schema';
export * from './truncate-span-attributes';
export * from './span-event.schema';
export * from './span.schema';
export * from './trace-context.schema';
export * from './trace-event.schema';
export * from './spans-topic-record.schema';
export * from './ingest-batch.schema';
export * from './slice.schema';
export * from './trace-contribution.schema';
export * from './trace-summary.schema';
export * from './metric-window.schema';
export * from './metric-series-key';
export * from './alert.schema';
export * from './detector-rules.schema';
export * from './notification-policy.schema';
export * from './dead-letter.schema';
export * from './topics';
export * from './record-headers';
export * from './compiled-validator';
export * from './topic-schemas';
export * from './parse-result';
export * from './format-zod-issues';
export * from './console-query.schema';

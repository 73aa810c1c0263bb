// Public API of @agentmon/otlp: OTLP trace decoding (vendored official .proto files through
// protobufjs, and OTLP/JSON) and the GenAI / OpenInference → AgentMon mapping. Pure: no I/O
// besides loading the vendored .proto files once.
export * from './otlp-proto';
export * from './otlp-model';
export * from './genai-mapping';
export * from './otlp-to-records';
export * from './otlp-kafka-batch';

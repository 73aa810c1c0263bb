// Public API of @agentmon/ingest-auth: who may write to the spans topic. API keys (shared by the
// gateway's HTTP guard and the sessionizer's check of direct Kafka producers), the headers they
// travel in, and the gateway's unforgeable mark on its own records.
export { ApiKeyRegistry, apiKeyFromHeaders } from './api-key-registry';
export * from './kafka-headers';
export * from './gateway-mac';
export * from './producer-auth';

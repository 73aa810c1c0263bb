// The registry moved to @agentmon/ingest-auth so the sessionizer authenticates direct Kafka
// producers with exactly the gateway's keys; re-exported for the gateway's existing imports.
export { ApiKeyRegistry, apiKeyFromHeaders } from '@agentmon/ingest-auth';

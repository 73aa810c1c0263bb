// Public API of @agentmon/stream-runtime: the one shape of every Kafka consumer stage (consume →
// validate → pure step → sinks → commit), its retry policy and its resource providers.
export { RetryPolicy } from './retry-policy';
export type { RetryHooks, RetryPolicyOptions } from './retry-policy';
export { errorMessage, isPermanentError, PermanentError, RetryableError } from './stage-errors';

// Public API of @agentmon/stream-runtime: the one shape of every Kafka consumer stage (consume →
// validate → pure step → sinks → commit), its retry policy and its resource providers.
export { RetryPolicy } from './retry-policy';
export type { RetryHooks, RetryPolicyOptions } from './retry-policy';
export { errorMessage, isPermanentError, PermanentError, RetryableError } from './stage-errors';
export type {
  Admission,
  InputRecord,
  PartitionRecords,
  RawTopicInput,
  Stage,
  StageDeadLetter,
  StageInput,
  WireRecord,
} from './stage';
export { inputTopic } from './stage';
export { StageRunner } from './stage-runner';
export type { StageRunnerEvents, StageRunnerPorts } from './stage-runner';
export { StageServer } from './stage-server';
export type { StageServerOptions } from './stage-server';
export { runStageMain } from './run-stage-main';
export type { StageMainOptions, StageSettings } from './run-stage-main';
export { KAFKA_CLIENT, kafkaClientProvider, topicProducerProvider } from './kafka.providers';
export {
  clickHouseProvider,
  redisProvider,
  retryPolicyProvider,
  stageResourceProviders,
} from './storage.providers';
export { ClickHouseTableSink } from './clickhouse-table-sink';
export { execPipeline, RedisScript } from './redis-script';
export { PassThroughStage } from './pass-through-stage';
export type { PassedRecord } from './pass-through-stage';
export { RecordUnitsStage } from './record-units-stage';
export type { RecordUnit } from './record-units-stage';

export { GroupCoordinator, type GroupCoordinatorOptions } from './group-coordinator';
export * from './group-api-types';
export {
  OffsetStore,
  type OffsetStoreOptions,
  type CommittedOffset,
  type OffsetEntry,
} from './offset-store';
export { KafkaErrorCode, type KafkaErrorCodeValue } from './kafka-error-codes';
export { systemClock, type CoordinatorClock } from './coordinator-clock';
export type { GroupState } from './group-metadata';

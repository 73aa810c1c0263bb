// Public API of @agentmon/testing: factories whose output always parses with its contract schema.
export * from './id-generator';
export * from './make-span';
export * from './make-trace-event';
export * from './make-trace-summary';
export * from './make-metric-window';
export * from './make-alert';
export * from './make-trace';
export { readTopicUntil } from './read-topic';
export { FakeMessagesApi, messageBody, type FakeMessagesAnswer } from './fake-messages-api';

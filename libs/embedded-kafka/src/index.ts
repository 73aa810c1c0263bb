export { EmbeddedBroker, startEmbeddedBroker, groupsDataDir } from './embedded-broker';
export { createBrokerCommand } from './broker-command';
export type { EmbeddedBrokerOptions } from './embedded-broker-options';
export type { FsyncPolicy } from './storage/partition-log';
export type { BrokerLogger } from './server/broker-logger';

import type { GroupCoordinator } from '../coordinator/group-coordinator';
import type { KafkaReader } from '../protocol/kafka-reader';
import type { KafkaWriter } from '../protocol/kafka-writer';
import type { LogManager } from '../storage/log-manager';
import type { PartitionLog } from '../storage/partition-log';
import type { BrokerLogger } from './broker-logger';

export interface BrokerSettings {
  nodeId: number;
  /** Host and port clients are told to connect to (Metadata, FindCoordinator). */
  advertisedHost: string;
  advertisedPort: number;
  autoCreateTopics: boolean;
  defaultPartitions: number;
  clusterId: string;
}

/** Everything a handler may touch; one per broker. */
export interface BrokerContext {
  settings: BrokerSettings;
  logs: LogManager;
  coordinator: GroupCoordinator;
  logger: BrokerLogger;
  /** Set by close(): long polls answer with what they have instead of parking again. */
  shuttingDown: boolean;
  /** Resolves when any of the given partitions' high watermark moves, or after `ms`. */
  waitForData(
    partitions: readonly PartitionLog[],
    ms: number,
    cancelled: () => boolean,
  ): Promise<void>;
}

export interface RequestContext {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  clientHost: string;
  peer: string;
  /** True once the connection is gone: long polls give up. */
  isClosed(): boolean;
}

/**
 * Decodes one API's request body and produces its response body (without the response header).
 * Returning null means "send nothing" (Produce with acks=0).
 */
export interface ApiHandler {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
  handle(
    reader: KafkaReader,
    req: RequestContext,
    broker: BrokerContext,
  ): Promise<KafkaWriter | null> | KafkaWriter | null;
}

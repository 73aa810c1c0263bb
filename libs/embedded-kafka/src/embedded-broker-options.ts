import type { FsyncPolicy } from './storage/partition-log';
import type { BrokerLogger } from './server/broker-logger';

export interface EmbeddedBrokerOptions {
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** 0 (default) picks a free port; read it back from `broker.port`. */
  port?: number;
  /** Host advertised in Metadata/FindCoordinator; defaults to `host` (127.0.0.1 when binding 0.0.0.0). */
  advertisedHost?: string;
  dataDir: string;
  defaultPartitions?: number;
  /** Let clients create topics through Metadata requests. Default false: create them explicitly. */
  autoCreateTopics?: boolean;
  /** `always` (default): acks=1/-1 wait for fsync (group commit) and readers only see fsynced data. */
  fsync?: FsyncPolicy;
  fsyncIntervalMs?: number;
  maxRequestBytes?: number;
  /**
   * Request bytes held across all connections before the broker stops reading sockets until
   * some drain (Kafka's queued.max.request.bytes). Default 256 MiB.
   */
  maxInflightBytes?: number;
  segmentBytes?: number;
  /** -1 = keep forever. */
  retentionMs?: number;
  /** Per partition; -1 = unbounded. */
  retentionBytes?: number;
  retentionCheckMs?: number;
  /** Delay before the first rebalance of a new group completes (Kafka's group.initial.rebalance.delay.ms). */
  initialRebalanceDelayMs?: number;
  logger?: BrokerLogger;
}

export type ResolvedBrokerOptions = Required<
  Omit<EmbeddedBrokerOptions, 'logger' | 'advertisedHost'>
> & {
  advertisedHost: string;
  logger: BrokerLogger;
};

export const BROKER_DEFAULTS = {
  host: '127.0.0.1',
  port: 0,
  defaultPartitions: 1,
  autoCreateTopics: false,
  fsync: 'always' as FsyncPolicy,
  fsyncIntervalMs: 1000,
  maxRequestBytes: 100 * 1024 * 1024,
  maxInflightBytes: 256 * 1024 * 1024,
  segmentBytes: 128 * 1024 * 1024,
  retentionMs: 7 * 24 * 3600 * 1000,
  retentionBytes: -1,
  retentionCheckMs: 60_000,
  initialRebalanceDelayMs: 0,
};

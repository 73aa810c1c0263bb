import { Kafka, logLevel, LogEntry } from 'kafkajs';
import type { Logger } from 'pino';

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  logger?: Logger;
}

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * kafkajs' own retries, the same for every client of AgentMon: they only bridge protocol-level
 * blips (a leader moving, a connection reset) inside one request. Anything longer is the stage
 * runtime's one RetryPolicy (sink writes) or the gateway's 503 + Retry-After (producers).
 */
export const KAFKAJS_RETRY = { initialRetryTime: 100, retries: 5 } as const;

/** kafkajs with its log lines routed into our structured logger. */
export function createKafka(options: KafkaClientOptions): Kafka {
  const logger = options.logger;
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: 3000,
    requestTimeout: 30000,
    retry: KAFKAJS_RETRY,
    logLevel: logger ? logLevel.WARN : logLevel.NOTHING,
    logCreator: () => (entry: LogEntry) => {
      const { message, ...extra } = entry.log;
      logger?.[LEVELS[entry.level] ?? 'info']({ kafka: entry.namespace, ...extra }, message);
    },
  });
}

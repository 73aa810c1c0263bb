import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startEmbeddedBroker } from '@agentmon/embedded-kafka';
import { startClickHouseServer } from './clickhouse-server';
import { OrphanWatchdog } from './orphan-watchdog';
import { startRedisServer } from './redis-server';

export interface LocalInfrastructureOptions {
  /** `test`: throwaway dirs, removed on stop. `run`: state kept under `dataDir` across restarts. */
  purpose: 'test' | 'run';
  dataDir?: string;
  brokerPort?: number;
  brokerPartitions?: number;
  /**
   * Let clients create topics on the embedded broker. Default: only for `test` (suites produce
   * to topics of their own); `run` creates its topics explicitly, as against a real cluster.
   */
  brokerAutoCreateTopics?: boolean;
  /** Embedded broker: request bytes held across connections (EMBEDDED_BROKER_MAX_INFLIGHT_BYTES). */
  brokerMaxInflightBytes?: number;
  env?: Record<string, string | undefined>;
}

export interface LocalInfrastructure {
  /** REDIS_URL, CLICKHOUSE_URL and KAFKA_BROKERS for the apps and tests. */
  env: { REDIS_URL: string; CLICKHOUSE_URL: string; KAFKA_BROKERS: string };
  /** Which services this launcher started (the rest came from the environment). */
  started: string[];
  stop(): Promise<void>;
}

function runDirectory(options: LocalInfrastructureOptions): string {
  if (options.purpose === 'test') return mkdtempSync(join(tmpdir(), 'agentmon-test-'));
  const dir = resolve(options.dataDir ?? '.agentmon');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Starts whatever of Redis, ClickHouse and the Kafka-compatible broker the environment does not
 * already point at. Everything started here is stopped by `stop()`, and by a watchdog if we die.
 */
export async function startLocalInfrastructure(
  options: LocalInfrastructureOptions,
): Promise<LocalInfrastructure> {
  const env = options.env ?? process.env;
  const runDir = runDirectory(options);
  const watchdog = new OrphanWatchdog(runDir);
  const stops: (() => Promise<void>)[] = [];
  const started: string[] = [];
  const stop = async () => {
    for (const stopOne of stops.reverse()) await stopOne().catch(() => undefined);
    watchdog.close();
    if (options.purpose === 'test') rmSync(runDir, { recursive: true, force: true });
  };
  try {
    let redisUrl = env.REDIS_URL;
    if (!redisUrl) {
      const redis = await startRedisServer(runDir, watchdog);
      stops.push(() => redis.process.stop());
      started.push('redis');
      redisUrl = redis.url;
    }
    let clickhouseUrl = env.CLICKHOUSE_URL;
    if (!clickhouseUrl) {
      const clickhouse = await startClickHouseServer(runDir, watchdog);
      stops.push(() => clickhouse.process.stop());
      started.push('clickhouse');
      clickhouseUrl = clickhouse.url;
    }
    let kafkaBrokers = env.KAFKA_BROKERS;
    if (!kafkaBrokers) {
      const broker = await startEmbeddedBroker({
        host: '127.0.0.1',
        port: options.brokerPort ?? 0,
        dataDir: join(runDir, 'kafka'),
        defaultPartitions: options.brokerPartitions ?? 6,
        autoCreateTopics: options.brokerAutoCreateTopics ?? options.purpose === 'test',
        ...(options.brokerMaxInflightBytes && { maxInflightBytes: options.brokerMaxInflightBytes }),
      });
      stops.push(() => broker.close());
      started.push('kafka');
      kafkaBrokers = broker.brokers.join(',');
    }
    return {
      env: { REDIS_URL: redisUrl, CLICKHOUSE_URL: clickhouseUrl, KAFKA_BROKERS: kafkaBrokers },
      started,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

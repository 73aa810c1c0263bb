import { Command, InvalidArgumentError, Option } from 'commander';
import pino from 'pino';
import { startEmbeddedBroker } from './embedded-broker';
import type { FsyncPolicy } from './storage/partition-log';

function int(name: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`${name} must be an integer`);
    return n;
  };
}

interface BrokerCliOptions {
  host: string;
  port: number;
  dataDir: string;
  partitions: number;
  autoCreateTopics: boolean;
  fsync: FsyncPolicy;
  fsyncIntervalMs: number;
  maxRequestBytes: number;
  maxInflightBytes: number;
  segmentBytes: number;
  retentionMs: number;
  retentionBytes: number;
  logLevel: string;
}

/**
 * `agentmon broker`: runs the embedded broker in the foreground, logs JSON, prints one
 * `{"event":"listening",...}` line on stdout (tests and scripts read the bound port from it).
 */
export function createBrokerCommand(): Command {
  return new Command('broker')
    .description('Run the embedded Kafka-compatible broker in the foreground')
    .requiredOption('--data-dir <dir>', 'directory for logs and metadata')
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--port <port>', 'port (0 = pick a free one)', int('port'), 9092)
    .option('--partitions <n>', 'default partitions for auto-created topics', int('partitions'), 1)
    .option('--auto-create-topics', 'let clients create topics on metadata requests', false)
    .addOption(
      new Option('--fsync <policy>', 'when to fsync the log')
        .choices(['always', 'interval', 'never'])
        .default('always'),
    )
    .option(
      '--fsync-interval-ms <ms>',
      'fsync period for --fsync interval',
      int('fsync-interval-ms'),
      1000,
    )
    .option(
      '--max-request-bytes <n>',
      'largest request accepted',
      int('max-request-bytes'),
      100 * 1024 * 1024,
    )
    .option(
      '--max-inflight-bytes <n>',
      'request bytes held across all connections before sockets stop being read',
      int('max-inflight-bytes'),
      256 * 1024 * 1024,
    )
    .option(
      '--segment-bytes <n>',
      'roll a log segment at this size',
      int('segment-bytes'),
      128 * 1024 * 1024,
    )
    .option(
      '--retention-ms <ms>',
      'delete segments older than this (-1 = never)',
      int('retention-ms'),
      7 * 24 * 3600 * 1000,
    )
    .option(
      '--retention-bytes <n>',
      'per-partition size cap (-1 = none)',
      int('retention-bytes'),
      -1,
    )
    .option('--log-level <level>', 'pino log level', 'info')
    .action(async (opts: BrokerCliOptions) => {
      const logger = pino(
        { level: opts.logLevel, base: { app: 'embedded-kafka' } },
        pino.destination(2),
      );
      const broker = await startEmbeddedBroker({
        host: opts.host,
        port: opts.port,
        dataDir: opts.dataDir,
        defaultPartitions: opts.partitions,
        autoCreateTopics: opts.autoCreateTopics,
        fsync: opts.fsync,
        fsyncIntervalMs: opts.fsyncIntervalMs,
        maxRequestBytes: opts.maxRequestBytes,
        maxInflightBytes: opts.maxInflightBytes,
        segmentBytes: opts.segmentBytes,
        retentionMs: opts.retentionMs,
        retentionBytes: opts.retentionBytes,
        logger,
      });
      process.stdout.write(
        `${JSON.stringify({ event: 'listening', host: broker.host, port: broker.port, pid: process.pid })}\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = (signal: string): void => {
          logger.info({ signal }, 'shutting down');
          process.off('SIGTERM', onTerm);
          process.off('SIGINT', onInt);
          resolve();
        };
        const onTerm = (): void => stop('SIGTERM');
        const onInt = (): void => stop('SIGINT');
        process.on('SIGTERM', onTerm);
        process.on('SIGINT', onInt);
      });
      await broker.close();
      logger.info({}, 'stopped');
    });
}

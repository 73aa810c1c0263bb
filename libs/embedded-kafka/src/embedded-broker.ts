import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  BROKER_DEFAULTS,
  EmbeddedBrokerOptions,
  ResolvedBrokerOptions,
} from './embedded-broker-options';
import { GroupCoordinator } from './coordinator/group-coordinator';
import { OffsetStore } from './coordinator/offset-store';
import { registerAllHandlers } from './handlers/register-all-handlers';
import type { BrokerContext } from './server/api-handler';
import { silentLogger } from './server/broker-logger';
import { BrokerServer } from './server/broker-server';
import { DataWaiters } from './server/data-waiters';
import { HandlerRegistry } from './server/handler-registry';
import { InflightBudget } from './server/inflight-budget';
import { DataDirLock } from './storage/data-dir-lock';
import { LogManager } from './storage/log-manager';

/** A running single-node Kafka-compatible broker. */
export class EmbeddedBroker {
  private closing: Promise<void> | null = null;

  /** @internal use startEmbeddedBroker */
  constructor(
    readonly host: string,
    readonly port: number,
    readonly dataDir: string,
    private readonly server: BrokerServer,
    private readonly logs: LogManager,
    private readonly waiters: DataWaiters,
    private readonly context: BrokerContext,
    private readonly owned: {
      coordinator: GroupCoordinator;
      offsetStore: OffsetStore;
      lock: DataDirLock;
    },
  ) {}

  /** Bootstrap list for clients, e.g. ['127.0.0.1:9092']. */
  /** Request bytes the broker holds across all connections right now. */
  get inflightBytes(): number {
    return this.server.inflightBytes;
  }

  get brokers(): string[] {
    return [`${this.host}:${this.port}`];
  }

  /** Graceful: stop accepting, answer in-flight requests, fsync, close files. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      // Parked fetches answer right away instead of holding shutdown for their max wait.
      this.context.shuttingDown = true;
      this.waiters.wakeAll();
      const wake = setInterval(() => this.waiters.wakeAll(), 20);
      try {
        // Stops accepting and reading synchronously; then the coordinator answers parked joins.
        const drained = this.server.close(5000);
        await this.owned.coordinator.close();
        await drained;
      } finally {
        clearInterval(wake);
      }
      await this.owned.offsetStore.close();
      await this.logs.close();
      this.owned.lock.release();
    })();
    return this.closing;
  }
}

function resolveOptions(o: EmbeddedBrokerOptions): ResolvedBrokerOptions {
  const host = o.host ?? BROKER_DEFAULTS.host;
  return {
    ...BROKER_DEFAULTS,
    ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)),
    host,
    dataDir: path.resolve(o.dataDir),
    advertisedHost: o.advertisedHost ?? (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host),
    logger: o.logger ?? silentLogger,
  } as ResolvedBrokerOptions;
}

/** Directory the consumer-group offset store keeps its files in. */
export function groupsDataDir(dataDir: string): string {
  return path.join(dataDir, 'groups');
}

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const o = resolveOptions(options);
  fs.mkdirSync(o.dataDir, { recursive: true });
  // Undo what was opened so far if a later step fails (bad dir, port in use, ...).
  const undo: (() => unknown)[] = [];
  const rollback = async (): Promise<void> => {
    for (const step of undo.reverse()) await Promise.resolve(step()).catch(() => undefined);
  };
  try {
    const lock = DataDirLock.acquire(o.dataDir);
    undo.push(() => lock.release());
    const logs = LogManager.open({
      dataDir: o.dataDir,
      segmentBytes: o.segmentBytes,
      fsync: o.fsync,
      fsyncIntervalMs: o.fsyncIntervalMs,
      retentionMs: o.retentionMs,
      retentionBytes: o.retentionBytes,
      retentionCheckMs: o.retentionCheckMs,
      logger: o.logger,
    });
    undo.push(() => logs.close());
    const offsetStore = await OffsetStore.open(groupsDataDir(o.dataDir));
    undo.push(() => offsetStore.close());
    const coordinator = new GroupCoordinator({
      offsetStore,
      initialRebalanceDelayMs: o.initialRebalanceDelayMs,
      logger: o.logger,
    });
    undo.push(() => coordinator.close());
    const waiters = new DataWaiters();
    logs.onHighWatermark((log) => waiters.notify(log));
    const broker: BrokerContext = {
      settings: {
        nodeId: 0,
        advertisedHost: o.advertisedHost,
        advertisedPort: o.port,
        autoCreateTopics: o.autoCreateTopics,
        defaultPartitions: o.defaultPartitions,
        clusterId: 'agentmon-embedded',
      },
      logs,
      coordinator,
      logger: o.logger,
      shuttingDown: false,
      waitForData: (parts, ms, cancelled) => waiters.wait(parts, ms, cancelled),
    };
    const server = new BrokerServer(registerAllHandlers(new HandlerRegistry()), broker, {
      maxRequestBytes: o.maxRequestBytes,
      budget: new InflightBudget(o.maxInflightBytes),
      maxInFlight: 256,
      maxQueuedResponseBytes: 64 * 1024 * 1024,
    });
    const port = await server.listen(o.host, o.port);
    broker.settings.advertisedPort = port;
    o.logger.info(
      { host: o.host, port, dataDir: o.dataDir, fsync: o.fsync },
      'embedded kafka broker listening',
    );
    return new EmbeddedBroker(o.advertisedHost, port, o.dataDir, server, logs, waiters, broker, {
      coordinator,
      offsetStore,
      lock,
    });
  } catch (err) {
    await rollback();
    throw err;
  }
}

import * as net from 'node:net';
import type { BrokerContext } from './api-handler';
import { Connection, ConnectionLimits } from './connection';
import type { HandlerRegistry } from './handler-registry';

/** TCP accept loop plus the set of live connections (for graceful shutdown). */
export class BrokerServer {
  private server: net.Server;
  private connections = new Set<Connection>();

  constructor(
    private readonly registry: HandlerRegistry,
    private readonly broker: BrokerContext,
    private readonly limits: ConnectionLimits,
  ) {
    this.server = net.createServer({ noDelay: true }, (socket) => {
      const c = new Connection(socket, this.registry, this.broker, this.limits, (gone) =>
        this.connections.delete(gone),
      );
      this.connections.add(c);
    });
    this.server.on('error', (err) =>
      this.broker.logger.error({ err: err.message }, 'server error'),
    );
    this.server.maxConnections = 10_000;
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen({ host, port, backlog: 1024 }, () => {
        this.server.off('error', onError);
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  /** Request bytes currently held across connections (see InflightBudget). */
  get inflightBytes(): number {
    return this.limits.budget.usedBytes;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Stops accepting, lets in-flight requests answer (bounded), then drops what is left. */
  async close(graceMs: number): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const conns = [...this.connections];
    for (const c of conns) c.stopReading();
    await Promise.race([
      Promise.all(conns.map((c) => c.endWhenIdle())),
      new Promise((r) => setTimeout(r, graceMs).unref()),
    ]);
    for (const c of this.connections) c.destroy();
    await closed;
  }
}

import type { Socket } from 'node:net';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/error-codes';
import { KafkaReader, MalformedRequestError } from '../protocol/kafka-reader';
import { KafkaWriter } from '../protocol/kafka-writer';
import type { ApiHandler, BrokerContext, RequestContext } from './api-handler';
import type { HandlerRegistry } from './handler-registry';
import type { InflightBudget } from './inflight-budget';

export interface ConnectionLimits {
  maxRequestBytes: number;
  /** Requests accepted but not yet answered before we stop reading from the socket. */
  maxInFlight: number;
  /** Bytes queued in the socket before we stop reading (slow reader protection). */
  maxQueuedResponseBytes: number;
  /** Shared by every connection of the server: total request bytes held. */
  budget: InflightBudget;
}

const IDLE_TIMEOUT_MS = 10 * 60 * 1000;

interface Slot {
  done: boolean;
  bufs: Buffer[] | null;
  /** Request bytes reserved from the budget, released once the response is written. */
  bytes: number;
}

/**
 * One client connection: frames requests, dispatches them, and writes responses strictly in
 * request order even though handlers (long-polling Fetch, JoinGroup) complete out of order.
 */
export class Connection {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private frameSize = -1;
  private slots: Slot[] = [];
  private closed = false;
  private paused = false;
  /** Set by stopReading(): backpressure must not resume a connection that is being drained. */
  private stopping = false;
  /** Bytes this connection holds in the shared budget (frame being read + unanswered requests). */
  private held = 0;
  /** Size of the frame being read, reserved from the budget and not yet given to a slot. */
  private frameReserved = 0;
  /** Waiting for the shared budget: the socket stays paused whatever else happens. */
  private waitingForBudget = false;
  private readonly retryAfterRelease = (): void => {
    // Not re-entrantly from inside another connection's response loop: on the next turn.
    setImmediate(() => {
      this.waitingForBudget = false;
      this.parse();
    });
  };
  readonly peer: string;
  private readonly clientHost: string;

  constructor(
    private readonly socket: Socket,
    private readonly registry: HandlerRegistry,
    private readonly broker: BrokerContext,
    private readonly limits: ConnectionLimits,
    private readonly onClosed: (c: Connection) => void,
  ) {
    this.clientHost = socket.remoteAddress ?? 'unknown';
    this.peer = `${this.clientHost}:${socket.remotePort ?? 0}`;
    socket.setNoDelay(true);
    // Like Kafka's connections.max.idle.ms: a peer that stalls mid-frame cannot pin its buffer forever.
    socket.setTimeout(IDLE_TIMEOUT_MS, () => this.kill('idle timeout'));
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (err) =>
      this.broker.logger.debug({ peer: this.peer, err: err.message }, 'socket error'),
    );
    socket.on('close', () => this.handleClose());
    socket.on('drain', () => this.maybeResume());
  }

  get inFlight(): number {
    return this.slots.length;
  }

  private handleClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.chunks = [];
    this.slots = [];
    this.limits.budget.cancel(this.retryAfterRelease);
    this.limits.budget.release(this.held);
    this.held = 0;
    this.onClosed(this);
  }

  /** Drops the connection on a protocol violation, logging who did it. */
  kill(reason: string, extra: object = {}): void {
    if (this.closed) return;
    this.broker.logger.warn({ peer: this.peer, reason, ...extra }, 'closing connection');
    this.socket.destroy();
    this.handleClose();
  }

  /** Graceful close: stop reading; the server ends the socket once responses are flushed. */
  stopReading(): void {
    this.stopping = true;
    this.socket.pause();
    this.paused = true;
  }

  endWhenIdle(): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.closed || this.slots.length === 0) {
          this.socket.end();
          resolve();
        } else setTimeout(check, 10);
      };
      check();
    });
  }

  destroy(): void {
    this.socket.destroy();
    this.handleClose();
  }

  private onData(d: Buffer): void {
    if (this.closed) return;
    this.chunks.push(d);
    this.buffered += d.length;
    this.parse();
  }

  private parse(): void {
    if (this.closed || this.waitingForBudget) return;
    try {
      for (;;) {
        if (this.frameSize < 0) {
          if (this.buffered < 4) return;
          const size = this.peek4();
          if (size < 8 || size > this.limits.maxRequestBytes) {
            this.kill('invalid request size', { size, max: this.limits.maxRequestBytes });
            return;
          }
          if (!this.limits.budget.tryReserve(size)) {
            // The broker holds as many request bytes as it may: stop reading until some drain.
            this.waitingForBudget = true;
            this.paused = true;
            this.socket.pause();
            this.limits.budget.onRelease(this.retryAfterRelease);
            return;
          }
          this.held += size;
          this.frameReserved = size;
          this.take(4);
          this.frameSize = size;
        }
        if (this.buffered < this.frameSize) return;
        const frame = this.take(this.frameSize);
        this.frameSize = -1;
        this.dispatch(frame);
        if (this.closed) return;
      }
    } finally {
      this.applyBackpressure();
    }
  }

  private peek4(): number {
    const first = this.chunks[0];
    if (first.length >= 4) return first.readInt32BE(0);
    return this.take(4, true).readInt32BE(0);
  }

  /** Removes n bytes from the chunk list; zero-copy when they lie in one chunk. */
  private take(n: number, peek = false): Buffer {
    const first = this.chunks[0];
    if (first.length >= n) {
      if (!peek) {
        if (first.length === n) this.chunks.shift();
        else this.chunks[0] = first.subarray(n);
        this.buffered -= n;
      }
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let got = 0;
    let i = 0;
    while (got < n) {
      const c = this.chunks[i];
      const use = Math.min(c.length, n - got);
      c.copy(out, got, 0, use);
      got += use;
      if (!peek) {
        if (use === c.length) {
          this.chunks.shift();
          continue;
        }
        this.chunks[i] = c.subarray(use);
      }
      i++;
    }
    if (!peek) this.buffered -= n;
    return out;
  }

  private dispatch(frame: Buffer): void {
    const r = new KafkaReader(frame);
    let apiKey: number;
    let apiVersion: number;
    let correlationId: number;
    let clientId: string | null;
    try {
      apiKey = r.int16();
      apiVersion = r.int16();
      correlationId = r.int32();
      clientId = r.nullableString();
    } catch (err) {
      this.kill('malformed request header', { err: (err as Error).message });
      return;
    }
    const handler = this.registry.get(apiKey);
    if (!handler) {
      this.kill('unknown api key', { apiKey, apiVersion, clientId });
      return;
    }
    const req: RequestContext = {
      apiKey,
      apiVersion,
      correlationId,
      clientId,
      clientHost: this.clientHost,
      peer: this.peer,
      isClosed: () => this.closed,
    };
    if (apiVersion < handler.minVersion || apiVersion > handler.maxVersion) {
      if (apiKey === ApiKey.ApiVersions) {
        // KIP-511: answer in the v0 body format with UNSUPPORTED_VERSION so the client retries lower.
        const w = new KafkaWriter();
        w.int16(ErrorCode.UNSUPPORTED_VERSION);
        this.registry.writeApiVersions(w);
        this.respond(this.newSlot(), correlationId, w);
        return;
      }
      this.kill('unsupported api version', { apiKey, apiVersion, clientId });
      return;
    }
    const slot = this.newSlot();
    this.run(handler, r, req, slot);
  }

  private newSlot(): Slot {
    const s: Slot = { done: false, bufs: null, bytes: this.frameReserved };
    this.frameReserved = 0;
    this.slots.push(s);
    return s;
  }

  private run(handler: ApiHandler, r: KafkaReader, req: RequestContext, slot: Slot): void {
    const fail = (err: unknown): void => {
      if (err instanceof MalformedRequestError || err instanceof RangeError) {
        this.kill('malformed request body', {
          apiKey: req.apiKey,
          apiVersion: req.apiVersion,
          err: (err as Error).message,
        });
      } else {
        this.broker.logger.error(
          { peer: this.peer, apiKey: req.apiKey, err: (err as Error)?.stack ?? String(err) },
          'request handler failed',
        );
        this.kill('internal error');
      }
    };
    let result: ReturnType<ApiHandler['handle']>;
    try {
      result = handler.handle(r, req, this.broker);
    } catch (err) {
      fail(err);
      return;
    }
    if (result instanceof Promise) {
      result.then((w) => this.respond(slot, req.correlationId, w), fail);
    } else {
      this.respond(slot, req.correlationId, result);
    }
  }

  private respond(slot: Slot, correlationId: number, body: KafkaWriter | null): void {
    if (this.closed) return;
    slot.done = true;
    if (body) {
      const head = Buffer.allocUnsafe(8);
      head.writeInt32BE(body.length + 4, 0);
      head.writeInt32BE(correlationId, 4);
      slot.bufs = [head, ...body.toBuffers()];
    }
    if (this.slots[0] !== slot) return;
    this.socket.cork();
    while (this.slots.length > 0 && this.slots[0].done) {
      const s = this.slots.shift() as Slot;
      if (s.bufs) for (const b of s.bufs) this.socket.write(b);
      this.held -= s.bytes;
      this.limits.budget.release(s.bytes);
    }
    this.socket.uncork();
    this.applyBackpressure();
  }

  private applyBackpressure(): void {
    if (this.closed) return;
    const tooMuch =
      this.slots.length >= this.limits.maxInFlight ||
      this.socket.writableLength > this.limits.maxQueuedResponseBytes;
    if (this.waitingForBudget) return;
    if (tooMuch && !this.paused) {
      this.paused = true;
      this.socket.pause();
    } else if (!tooMuch) {
      this.maybeResume();
    }
  }

  private maybeResume(): void {
    if (this.closed || !this.paused || this.stopping || this.waitingForBudget) return;
    if (
      this.slots.length < this.limits.maxInFlight &&
      this.socket.writableLength <= this.limits.maxQueuedResponseBytes
    ) {
      this.paused = false;
      this.socket.resume();
    }
  }
}

import { setTimeout as sleep } from 'node:timers/promises';
import {
  formatZodIssues,
  Limits,
  SpanIngestSchema,
  TraceEventIngestSchema,
  type SpanIngest,
  type TraceEventIngest,
} from '@agentmon/contracts';
import type { ExportErrorEvent, ExportRejection, ExportStats } from './export-stats';
import { postBatch, type FetchLike, type PostOutcome } from './post-batch';
import { retryDelayMs } from './retry-delay';

export type Route = 'spans' | 'events';

export interface BatchExporterOptions {
  /** Gateway base URL, e.g. `http://localhost:8080`; routes are appended. */
  endpoint: string;
  apiKey: string;
  flushIntervalMs: number;
  maxBatchSize: number;
  maxBufferedItems: number;
  maxRetries: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  requestTimeoutMs: number;
  shutdownTimeoutMs: number;
  fetch: FetchLike;
  onError?: (event: ExportErrorEvent) => void;
}

const SCHEMAS = { spans: SpanIngestSchema, events: TraceEventIngestSchema } as const;
const KEPT_REJECTIONS = 20;

/**
 * Buffers spans and events and posts them to the gateway in batches, one request at a time.
 * Monitoring must never hurt the agent: nothing here throws to the caller, memory is bounded
 * (overflow is dropped and counted), and the timers are unref'd so an idle exporter never keeps
 * the process alive; only an explicit flush() or shutdown() holds it open until done.
 */
export class BatchExporter {
  private readonly queues: { spans: SpanIngest[]; events: TraceEventIngest[] } = {
    spans: [],
    events: [],
  };
  private readonly counters = { sent: 0, dropped: 0, rejected: 0, retries: 0 };
  private readonly recentRejections: ExportRejection[] = [];
  private readonly abort = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly maxBatchSize: number;
  private inFlight = 0;
  private pump?: Promise<void>;
  private closed = false;
  private shutdownPromise?: Promise<void>;

  constructor(private readonly options: BatchExporterOptions) {
    this.maxBatchSize = Math.min(
      Math.max(1, Math.floor(options.maxBatchSize)),
      Limits.ingestBatchMaxItems,
    );
    this.timer = setInterval(() => this.kick(), Math.max(1, options.flushIntervalMs));
    this.timer.unref();
  }

  enqueue(route: 'spans', item: SpanIngest): void;
  enqueue(route: 'events', item: TraceEventIngest): void;
  enqueue(route: Route, item: SpanIngest | TraceEventIngest): void {
    try {
      if (this.closed) return this.drop(1, 'shutdown');
      // Checked here, one item at a time: the gateway validates a batch as a whole, so one bad
      // item sent along would cost every good item in its batch.
      const parsed = SCHEMAS[route].safeParse(item);
      if (!parsed.success) {
        return this.reject({
          route,
          status: 0,
          items: 1,
          error: 'invalid_item',
          issues: formatZodIssues(parsed.error),
          at: Date.now(),
        });
      }
      if (this.bufferedCount() >= this.options.maxBufferedItems) return this.drop(1, 'buffer_full');
      (this.queues[route] as unknown[]).push(item);
      if (this.queues[route].length >= this.maxBatchSize) this.kick();
    } catch {
      // Defensive: a bug here must not surface in the agent.
    }
  }

  stats(): ExportStats {
    return { ...this.counters, buffered: this.bufferedCount() };
  }

  /** The last few rejections with the gateway's issues, newest last. */
  rejections(): ExportRejection[] {
    return this.recentRejections.map((r) => ({ ...r, issues: [...r.issues] }));
  }

  /** Sends everything queued so far (with retries). Resolves, never rejects. */
  async flush(): Promise<void> {
    const release = holdEventLoop();
    try {
      while (!this.abort.signal.aborted && (this.queuedCount() > 0 || this.pump)) {
        this.kick();
        await this.pump;
      }
    } finally {
      release();
    }
  }

  /**
   * Stops the timer, flushes, and gives up after shutdownTimeoutMs (what is left counts as
   * dropped). Later items are dropped. Safe to call more than once.
   */
  shutdown(timeoutMs = this.options.shutdownTimeoutMs): Promise<void> {
    this.shutdownPromise ??= (async () => {
      this.closed = true;
      clearInterval(this.timer);
      // Ref'd on purpose: it keeps the process alive until the final flush finishes or gives up.
      const deadline = setTimeout(() => this.abort.abort(), Math.max(0, timeoutMs));
      try {
        await this.flush();
      } finally {
        clearTimeout(deadline);
        this.abort.abort();
        const left = this.queuedCount();
        this.queues.spans.length = 0;
        this.queues.events.length = 0;
        if (left > 0) this.drop(left, 'shutdown');
      }
    })().catch(() => undefined);
    return this.shutdownPromise;
  }

  private queuedCount(): number {
    return this.queues.spans.length + this.queues.events.length;
  }

  private bufferedCount(): number {
    return this.queuedCount() + this.inFlight;
  }

  private kick(): void {
    if (this.pump || this.queuedCount() === 0 || this.abort.signal.aborted) return;
    this.pump = this.drain()
      .catch(() => undefined)
      .finally(() => {
        this.pump = undefined;
      });
  }

  private async drain(): Promise<void> {
    while (!this.abort.signal.aborted && this.queuedCount() > 0) {
      // Alternate routes so a flood of spans cannot starve trace outcome events.
      for (const route of ['spans', 'events'] as const) {
        const batch: unknown[] = this.queues[route].splice(0, this.maxBatchSize);
        if (batch.length === 0) continue;
        this.inFlight += batch.length;
        try {
          await this.deliver(route, batch);
        } finally {
          this.inFlight -= batch.length;
        }
      }
    }
  }

  private async deliver(route: Route, batch: unknown[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.post(route, batch);
      if (outcome.kind === 'accepted') {
        this.counters.sent += batch.length;
        return;
      }
      if (outcome.kind === 'rejected') {
        return this.reject({
          route,
          status: outcome.status,
          items: batch.length,
          error: outcome.error,
          issues: outcome.issues,
          at: Date.now(),
        });
      }
      if (outcome.kind === 'too_large') {
        // The gateway's byte limit, not a bad item: halves will fit, down to a single item.
        if (batch.length === 1) {
          return this.reject({
            route,
            status: 413,
            items: 1,
            error: 'item_too_large',
            issues: [],
            at: Date.now(),
          });
        }
        const half = Math.ceil(batch.length / 2);
        await this.deliver(route, batch.slice(0, half));
        await this.deliver(route, batch.slice(half));
        return;
      }
      if (this.abort.signal.aborted) return this.drop(batch.length, 'shutdown', outcome.error);
      if (attempt >= this.options.maxRetries) {
        return this.drop(batch.length, 'retries_exhausted', outcome.error);
      }
      this.counters.retries += 1;
      const delay = retryDelayMs({
        attempt,
        initialBackoffMs: this.options.initialBackoffMs,
        maxBackoffMs: this.options.maxBackoffMs,
        retryAfterMs: outcome.retryAfterMs,
      });
      // Unref'd: a background retry alone must not keep the agent's process running.
      await sleep(delay, undefined, { ref: false, signal: this.abort.signal }).catch(
        () => undefined,
      );
      if (this.abort.signal.aborted) return this.drop(batch.length, 'shutdown', outcome.error);
    }
  }

  private post(route: Route, batch: unknown[]): Promise<PostOutcome> {
    return postBatch({
      fetch: this.options.fetch,
      url: `${this.options.endpoint.replace(/\/+$/, '')}/v1/${route}`,
      apiKey: this.options.apiKey,
      body: JSON.stringify({ [route]: batch }),
      signal: AbortSignal.any([
        this.abort.signal,
        AbortSignal.timeout(this.options.requestTimeoutMs),
      ]),
    });
  }

  private reject(rejection: ExportRejection): void {
    this.counters.rejected += rejection.items;
    this.recentRejections.push(rejection);
    if (this.recentRejections.length > KEPT_REJECTIONS) this.recentRejections.shift();
    this.report({ kind: 'rejected', ...rejection });
  }

  private drop(
    items: number,
    reason: 'buffer_full' | 'retries_exhausted' | 'shutdown',
    error?: string,
  ): void {
    this.counters.dropped += items;
    this.report({ kind: 'dropped', reason, items, ...(error !== undefined && { error }) });
  }

  private report(event: ExportErrorEvent): void {
    try {
      this.options.onError?.(event);
    } catch {
      // The agent's own error hook failing is not ours to surface.
    }
  }
}

/** Keeps the event loop alive while an awaited flush runs, since its timers are unref'd. */
function holdEventLoop(): () => void {
  const handle = setInterval(() => undefined, 2 ** 30);
  return () => clearInterval(handle);
}

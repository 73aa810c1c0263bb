import { backOff } from 'exponential-backoff';

export interface BatchSink<Row> {
  insert(table: string, rows: readonly Row[]): Promise<void>;
}

export interface BatchWriterOptions {
  table: string;
  maxRows: number;
  flushIntervalMs: number;
  /** Writers wait (back-pressure) rather than buffer more than this. */
  maxBufferedRows: number;
  retryAttempts: number;
  retryStartingDelayMs?: number;
  onFlush?: (event: { table: string; rows: number; durationMs: number; attempts: number }) => void;
  onRetry?: (event: { table: string; attempt: number; error: unknown }) => void;
}

interface Pending<Row> {
  rows: readonly Row[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Errors worth another attempt: the network, timeouts, and ClickHouse's "too many parts" family. */
export function isTransientClickHouseError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|socket hang up|Timeout|timeout|Code: (159|202|209|210|241|252|319|425)\b/.test(
    message,
  );
}

/**
 * Collects rows from many callers into few large inserts (ClickHouse prefers ~thousands of rows
 * per insert). `write` resolves only once its rows are stored, so a consumer commits its Kafka
 * offsets after — never before — the data is durable. Flushes run one at a time, in order.
 */
export class ClickHouseBatchWriter<Row extends object> {
  private queue: Pending<Row>[] = [];
  private queuedRows = 0;
  private flushing: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private spaceWaiters: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly sink: BatchSink<Row>,
    private readonly options: BatchWriterOptions,
  ) {}

  get bufferedRows(): number {
    return this.queuedRows;
  }

  async write(rows: readonly Row[]): Promise<void> {
    if (this.closed) throw new Error(`batch writer for ${this.options.table} is closed`);
    if (rows.length === 0) return;
    while (this.queuedRows > 0 && this.queuedRows + rows.length > this.options.maxBufferedRows) {
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
    }
    const done = new Promise<void>((resolve, reject) => this.queue.push({ rows, resolve, reject }));
    this.queuedRows += rows.length;
    if (this.queuedRows >= this.options.maxRows) this.scheduleFlush();
    else this.timer ??= setTimeout(() => this.scheduleFlush(), this.options.flushIntervalMs);
    return done;
  }

  /** Flushes everything written so far. */
  flush(): Promise<void> {
    this.scheduleFlush();
    return this.flushing;
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  private scheduleFlush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.flushing = this.flushing.then(() => this.insertBatch(batch));
  }

  private async insertBatch(batch: Pending<Row>[]): Promise<void> {
    const rows = batch.flatMap((pending) => pending.rows);
    const started = Date.now();
    let attempts = 0;
    try {
      for (let offset = 0; offset < rows.length; offset += this.options.maxRows) {
        const chunk = rows.slice(offset, offset + this.options.maxRows);
        await backOff(
          () => {
            attempts += 1;
            return this.sink.insert(this.options.table, chunk);
          },
          {
            numOfAttempts: this.options.retryAttempts,
            startingDelay: this.options.retryStartingDelayMs ?? 100,
            maxDelay: 5000,
            jitter: 'full',
            retry: (error: unknown, attempt: number) => {
              const transient = isTransientClickHouseError(error);
              if (transient) this.options.onRetry?.({ table: this.options.table, attempt, error });
              return transient;
            },
          },
        );
      }
      this.options.onFlush?.({
        table: this.options.table,
        rows: rows.length,
        durationMs: Date.now() - started,
        attempts,
      });
      batch.forEach((pending) => pending.resolve());
    } catch (error) {
      batch.forEach((pending) => pending.reject(error));
    } finally {
      this.queuedRows -= rows.length;
      this.spaceWaiters.splice(0).forEach((wake) => wake());
    }
  }
}

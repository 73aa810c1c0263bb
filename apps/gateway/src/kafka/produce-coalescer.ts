export interface KeyedMessage {
  key: string;
  value: string;
}

export class GatewayOverloadedError extends Error {
  /** `pending`: too many records already waiting (429 for OTLP); `timeout`: Kafka too slow (503). */
  constructor(
    message: string,
    readonly reason: 'pending' | 'timeout' = 'timeout',
  ) {
    super(message);
    this.name = 'GatewayOverloadedError';
  }
}

export interface ProduceCoalescerOptions {
  send: (messages: KeyedMessage[]) => Promise<void>;
  lingerMs: number;
  maxBatchMessages: number;
  maxPendingMessages: number;
  timeoutMs: number;
}

interface Waiter {
  count: number;
  resolve: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
  settled: boolean;
}

/**
 * Gathers the records of concurrent requests into few large Kafka produces (one round trip and
 * one fsync for many requests) and answers each request when Kafka has acknowledged its records.
 * Pending records are bounded: past the bound new work is refused (503) rather than buffered.
 */
export class ProduceCoalescer {
  private messages: KeyedMessage[] = [];
  private waiters: Waiter[] = [];
  private pending = 0;
  private timer?: NodeJS.Timeout;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: ProduceCoalescerOptions) {}

  get pendingMessages(): number {
    return this.pending;
  }

  submit(messages: KeyedMessage[]): Promise<void> {
    if (this.pending + messages.length > this.options.maxPendingMessages) {
      return Promise.reject(
        new GatewayOverloadedError(`${this.pending} records already waiting for Kafka`, 'pending'),
      );
    }
    this.pending += messages.length;
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        count: messages.length,
        resolve,
        reject,
        settled: false,
        timer: setTimeout(
          () =>
            this.settle(
              waiter,
              new GatewayOverloadedError(
                `Kafka did not acknowledge within ${this.options.timeoutMs} ms`,
              ),
            ),
          this.options.timeoutMs,
        ),
      };
      for (const message of messages) this.messages.push(message);
      this.waiters.push(waiter);
      if (this.messages.length >= this.options.maxBatchMessages) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.lingerMs);
    });
  }

  /** Waits for every produce in flight (graceful shutdown drains through here). */
  async drain(): Promise<void> {
    this.flush();
    await Promise.allSettled([...this.inFlight]);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.messages.length === 0) return;
    const messages = this.messages;
    const waiters = this.waiters;
    this.messages = [];
    this.waiters = [];
    const done = (error?: Error) => {
      this.pending -= messages.length;
      waiters.forEach((waiter) => this.settle(waiter, error));
    };
    const sending = this.options.send(messages).then(
      () => done(),
      (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
    );
    this.inFlight.add(sending);
    void sending.finally(() => this.inFlight.delete(sending));
  }

  private settle(waiter: Waiter, error?: Error): void {
    if (waiter.settled) return;
    waiter.settled = true;
    clearTimeout(waiter.timer);
    if (error) waiter.reject(error);
    else waiter.resolve();
  }
}

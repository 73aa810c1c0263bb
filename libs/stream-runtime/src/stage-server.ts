import { encodeDeadLetterValue, Topics } from '@agentmon/contracts';
import { decodeBatch, DecodedBatch, ensureTopics, TopicProducer } from '@agentmon/kafka';
import type { ReadinessRegistry } from '@agentmon/observability';
import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { RetryPolicy } from './retry-policy';
import {
  inputTopic,
  type Admission,
  type Stage,
  type StageDeadLetter,
  type StageInput,
} from './stage';
import { errorMessage } from './stage-errors';
import { StageMetrics } from './stage-metrics';
import { StageRunner } from './stage-runner';

export interface StageServerOptions {
  app: string;
  kafka: Kafka;
  /** The app's one producer (dead letters go through it, like the stage's own output). */
  producer: TopicProducer;
  groupId: string;
  logger: Logger;
  readiness: ReadinessRegistry;
  registry: Registry;
  retry: RetryPolicy;
  sessionTimeoutMs: number;
  partitionsConcurrently: number;
  /** How often time-based progress runs when no records arrive. */
  tickMs: number;
  /** Topics created (if missing) before subscribing, and their partition count. */
  ensureTopics?: { topics: readonly string[]; partitions: number };
  /** A write failing for longer than this makes the stage not ready. */
  stuckAfterMs?: number;
}

type Events = Record<string, (...args: unknown[]) => void>;
type Headers = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

/**
 * The Nest transport of every consumer stage: kafkajs `eachBatch` in, contract validation (the
 * rest dead-lettered before the stage sees it), then the StageRunner (cycles, commits, retries).
 * Heartbeats go out while a write is retried, partitions lost in a rebalance are dropped from
 * the stage's state, readiness reports a stuck or crashed consumer, and close drains: the last
 * cycle is written and committed before the consumer leaves the group.
 */
export class StageServer<Unit> extends Server<Events> implements CustomTransportStrategy {
  readonly runner: StageRunner<StageInput, Unit>;
  /** The Kafka topic the stage consumes (a contract topic, or a raw one). */
  private readonly topic: string;
  private consumer?: Consumer;
  private ticker?: NodeJS.Timeout;
  private heartbeater?: NodeJS.Timeout;
  private readonly metrics: StageMetrics;
  private readonly heartbeats = new Set<() => Promise<void>>();
  private joined = false;
  private crashed = false;

  constructor(
    private readonly stage: Stage<StageInput, Unit>,
    private readonly options: StageServerOptions,
  ) {
    super();
    this.topic = inputTopic(stage.input);
    this.metrics = new StageMetrics(options.registry);
    this.runner = new StageRunner(
      stage,
      {
        commit: (partition, offset) =>
          this.consumer!.commitOffsets([{ topic: this.topic, partition, offset }]),
        publishDeadLetters: (letters) => this.publishDeadLetters(letters),
        heartbeat: () => this.heartbeatAll(),
      },
      options.retry,
      {
        cycleWritten: (_units, ms) => this.metrics.cycleSeconds.observe(ms / 1000),
        writeRetried: (error, attempt) => {
          this.metrics.writeRetries.inc();
          options.logger.warn(
            { err: errorMessage(error), attempt },
            'stage write failed; retrying',
          );
        },
        deadLettered: (count, reason) => {
          this.metrics.deadLetters.inc({ reason: 'sink_rejected' }, count);
          options.logger.warn({ count, reason }, 'sink refused records for good; dead-lettered');
        },
        commitFailed: (error, partition) => {
          this.metrics.commitFailures.inc();
          options.logger.warn({ err: errorMessage(error), partition }, 'offset commit failed');
        },
        revoked: (partitions) => {
          this.metrics.revokedPartitions.inc(partitions.length);
          options.logger.info(
            { partitions },
            'partitions moved to another instance; state dropped',
          );
        },
      },
    );
    options.readiness.register('stage', async () => this.isReady());
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      await this.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  private isReady(): boolean {
    const stuckSince = this.runner.stuckSince;
    const stuckMs = stuckSince === null ? 0 : Date.now() - stuckSince;
    this.metrics.stuckSeconds.set(stuckMs / 1000);
    return this.joined && !this.crashed && stuckMs <= (this.options.stuckAfterMs ?? 0);
  }

  private async start(): Promise<void> {
    const { kafka, groupId } = this.options;
    if (this.options.ensureTopics) {
      const topics = new Set([...this.options.ensureTopics.topics, this.topic]);
      await ensureTopics(kafka, [...topics], this.options.ensureTopics.partitions);
    }
    await this.options.producer.ensureConnected();
    const heartbeatInterval = Math.max(100, Math.floor(this.options.sessionTimeoutMs / 3));
    const consumer = kafka.consumer({
      groupId,
      sessionTimeout: this.options.sessionTimeoutMs,
      heartbeatInterval,
      maxBytesPerPartition: 4 * 1048576,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.joined = true;
      this.crashed = false;
      this.metrics.groupJoins.inc();
      this.runner.retainPartitions(payload.memberAssignment[this.topic] ?? []);
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.crashed = true;
      this.options.logger.error(
        { err: payload.error, restart: payload.restart },
        'consumer crashed',
      );
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConcurrently,
      eachBatch: (payload) => this.handleBatch(payload),
    });
    this.ticker = setInterval(() => {
      this.runner
        .tick()
        .catch((error: unknown) =>
          this.options.logger.error({ err: errorMessage(error) }, 'stage tick failed; will retry'),
        );
    }, this.options.tickMs);
    this.ticker.unref();
    // kafkajs heartbeats between fetches only: a batch whose cycle takes longer than the
    // session (a backfill's merge writing thousands of windows) would lose the membership, and
    // its commits with it. While batches are in flight their heartbeat runs on a timer.
    this.heartbeater = setInterval(() => {
      if (this.heartbeats.size > 0) this.heartbeatAll().catch(() => undefined);
    }, heartbeatInterval);
    this.heartbeater.unref();
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (batch.messages.length === 0 || payload.isStale()) return;
    const lastOffset = batch.messages[batch.messages.length - 1].offset;
    const held = this.runner.heldCount(
      batch.partition,
      batch.messages.map((message) => message.offset),
    );
    if (held > 0) this.metrics.heldRecords.inc(held);
    const messages = held === 0 ? batch.messages : batch.messages.slice(held);
    if (messages.length === 0) {
      payload.resolveOffset(lastOffset);
      return;
    }
    const input = this.stage.input;
    const decoded: DecodedBatch<unknown> =
      typeof input === 'string'
        ? decodeBatch(input, batch.partition, messages, {
            app: this.options.app,
            group: this.options.groupId,
          })
        : this.decodeRaw(input.decode.bind(input), messages, batch.partition);
    if (this.stage.admit) this.admit(decoded, messages, batch.partition);
    if (decoded.deadLetters.length > 0) {
      await this.publishDeadLetters(decoded.deadLetters);
      for (const { letter } of decoded.deadLetters)
        this.metrics.deadLetters.inc({ reason: letter.reason });
      this.options.logger.warn(
        {
          partition: batch.partition,
          count: decoded.deadLetters.length,
          first: decoded.deadLetters[0].letter.message,
        },
        'invalid records dead-lettered',
      );
    }
    this.metrics.records.inc(messages.length);
    this.metrics.lag.set({ partition: String(batch.partition) }, Number(batch.offsetLag()));
    this.heartbeats.add(payload.heartbeat);
    try {
      await this.runner.handle({
        partition: batch.partition,
        records: decoded.records as never,
        endOffset: BigInt(lastOffset) + 1n,
      });
    } finally {
      this.heartbeats.delete(payload.heartbeat);
    }
    // The fetch position moves on; what is committed is the runner's decision.
    payload.resolveOffset(lastOffset);
  }

  /** A raw topic: the stage's decode turns each record's bytes into its record, or refuses it. */
  private decodeRaw(
    decode: (wire: {
      key: Buffer | null;
      value: Buffer | null;
      headers: Headers;
      record: null;
    }) => Admission<unknown>,
    messages: EachBatchPayload['batch']['messages'],
    partition: number,
  ): DecodedBatch<unknown> {
    const decoded: DecodedBatch<unknown> = { records: [], deadLetters: [] };
    for (const message of messages) {
      const key = message.key ? message.key.toString('utf8') : null;
      const result = decode({
        key: message.key,
        value: message.value,
        headers: message.headers ?? {},
        record: null,
      });
      if (result.ok)
        decoded.records.push({
          offset: message.offset,
          key,
          timestamp: Number(message.timestamp),
          value: result.value,
        });
      else decoded.deadLetters.push(this.refusal(partition, message, key, result));
    }
    return decoded;
  }

  /** Moves records the stage refuses (producer, key) from the batch to its dead letters. */
  private admit(
    decoded: DecodedBatch<unknown>,
    messages: EachBatchPayload['batch']['messages'],
    partition: number,
  ): void {
    const byOffset = new Map(messages.map((message) => [message.offset, message]));
    decoded.records = decoded.records.flatMap((record) => {
      const message = byOffset.get(record.offset)!;
      const admission = this.stage.admit!({
        key: message.key,
        value: message.value,
        headers: message.headers ?? {},
        record: record.value as never,
      });
      if (admission.ok) return [{ ...record, value: admission.value }];
      decoded.deadLetters.push(this.refusal(partition, message, record.key, admission));
      return [];
    });
  }

  private refusal(
    partition: number,
    message: EachBatchPayload['batch']['messages'][number],
    key: string | null,
    refused: Extract<Admission<unknown>, { ok: false }>,
  ): DecodedBatch<unknown>['deadLetters'][number] {
    return {
      key,
      letter: {
        source_topic: this.topic,
        partition,
        offset: message.offset,
        key: key === null ? null : key.slice(0, 4096),
        value: encodeDeadLetterValue(message.value),
        reason: refused.reason,
        message: refused.message.slice(0, 4096),
        issues: [],
        failed_at: Date.now(),
        consumer: this.options.app,
        consumer_group: this.options.groupId,
        attempts: 1,
      },
    };
  }

  private async heartbeatAll(): Promise<void> {
    await Promise.all([...this.heartbeats].map((heartbeat) => heartbeat()));
  }

  private async publishDeadLetters(letters: readonly StageDeadLetter[]): Promise<void> {
    const failedAt = Date.now();
    await this.options.producer.publishRaw(
      Topics.deadLetter,
      letters.map(({ key, letter }) => ({
        key,
        value: JSON.stringify({
          ...letter,
          failed_at: failedAt,
          consumer: this.options.app,
          consumer_group: this.options.groupId,
          attempts: 1,
        }),
      })),
    );
  }

  /** Drain: stop fetching, write and commit what is ready, then leave the group. */
  async close(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    if (this.heartbeater) clearInterval(this.heartbeater);
    await this.consumer?.stop();
    await this.runner.drain();
    await this.consumer?.disconnect();
  }

  on(): void {
    // Nest's event hooks are not used: the runner reports through StageMetrics and the logger.
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }
}

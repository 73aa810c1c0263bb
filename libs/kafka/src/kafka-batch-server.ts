import { Topics, TopicName, TopicRecord } from '@agentmon/contracts';
import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import type { Logger } from 'pino';
import { decodeBatch, DecodedRecord } from './batch-decoder';
import { ensureTopics } from './ensure-topics';
import { TopicProducer } from './topic-producer';

/** What a handler receives: the records of one partition that passed the topic's contract. */
export interface ValidatedBatch<T extends TopicName> {
  topic: T;
  partition: number;
  records: DecodedRecord<TopicRecord<T>>[];
  /** Commits `offset` (exclusive: the next record to read) for this partition. */
  commit(offset: string): Promise<void>;
  heartbeat(): Promise<void>;
  /** True once a rebalance took this partition away: stop and do not commit. */
  isStale(): boolean;
}

export interface KafkaBatchServerOptions {
  kafka: Kafka;
  app: string;
  groupId: string;
  topics: TopicName[];
  logger: Logger;
  sessionTimeoutMs?: number;
  maxBytesPerPartition?: number;
  partitionsConsumedConcurrently?: number;
  fromBeginning?: boolean;
  /** Topics created (if missing) before subscribing: the inputs, dead letters and outputs. */
  ensureTopics?: { topics: readonly TopicName[]; partitions: number };
}

type Events = Record<string, (...args: unknown[]) => void>;

/**
 * A Nest transport that consumes with kafkajs `eachBatch` (the built-in Kafka server hands over one
 * message at a time). Records are decoded and validated against the topic's contract; the rest go
 * to the dead-letter topic before the handler runs. The app commits offsets itself, so it can hold
 * them back until its own state is durable.
 */
export class KafkaBatchServer extends Server<Events> implements CustomTransportStrategy {
  private consumer?: Consumer;
  private producer?: TopicProducer;
  private readonly listeners = new Map<string, ((...args: unknown[]) => void)[]>();

  constructor(private readonly options: KafkaBatchServerOptions) {
    super();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      await this.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  private async start(): Promise<void> {
    const { kafka, groupId, topics } = this.options;
    if (this.options.ensureTopics)
      await ensureTopics(
        kafka,
        this.options.ensureTopics.topics,
        this.options.ensureTopics.partitions,
      );
    this.producer = await TopicProducer.connect(kafka);
    this.consumer = kafka.consumer({
      groupId,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30000,
      maxBytesPerPartition: this.options.maxBytesPerPartition ?? 4 * 1048576,
      allowAutoTopicCreation: false,
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) =>
      this.emit('group_join', event.payload),
    );
    await this.consumer.connect();
    await this.consumer.subscribe({ topics, fromBeginning: this.options.fromBeginning ?? true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const topic = batch.topic as TopicName;
    const handler = this.getHandlerByPattern(topic);
    if (!handler) throw new Error(`no handler for topic ${topic}`);
    const decoded = decodeBatch(topic, batch.partition, batch.messages, {
      app: this.options.app,
      group: this.options.groupId,
    });
    if (decoded.deadLetters.length > 0) {
      await this.producer!.publishRaw(
        Topics.deadLetter,
        decoded.deadLetters.map(({ key, letter }) => ({ key, value: JSON.stringify(letter) })),
      );
      this.options.logger.warn(
        {
          topic,
          partition: batch.partition,
          count: decoded.deadLetters.length,
          first: decoded.deadLetters[0].letter.message,
        },
        'records dead-lettered',
      );
    }
    const lastOffset =
      batch.messages.length > 0 ? batch.messages[batch.messages.length - 1].offset : undefined;
    const validated: ValidatedBatch<typeof topic> = {
      topic,
      partition: batch.partition,
      records: decoded.records,
      commit: (offset) =>
        this.consumer!.commitOffsets([{ topic, partition: batch.partition, offset }]),
      heartbeat: () => payload.heartbeat(),
      isStale: () => payload.isStale(),
    };
    const result = await handler(validated);
    await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
    // The fetch position moves on; what is committed is the handler's decision.
    if (lastOffset !== undefined) payload.resolveOffset(lastOffset);
  }

  async close(): Promise<void> {
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
  }

  on(event: string, callback: (...args: unknown[]) => void): void {
    const list = this.listeners.get(event) ?? [];
    list.push(callback);
    this.listeners.set(event, list);
  }

  /** Called after every rebalance with the partitions this member now owns, by topic. */
  onAssignment(callback: (assignment: Record<string, number[]>) => void): void {
    this.on('assignment', (assignment) => callback(assignment as Record<string, number[]>));
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }

  private emit(event: string, ...args: unknown[]): void {
    for (const callback of this.listeners.get(event) ?? []) callback(...args);
  }
}

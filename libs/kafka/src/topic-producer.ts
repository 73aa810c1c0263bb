import { encodeTopicRecord, TopicName, TopicRecord, topicRecordKey } from '@agentmon/contracts';
import { Kafka, Producer } from 'kafkajs';
import { Murmur2Partitioner } from './murmur2-partitioner';
import type { RawMessage } from './produce-worker';

/**
 * Typed producer: each topic's records are encoded and keyed as its contract says, and a send
 * resolves only once every in-sync replica has them (acks=all). It connects on first use and
 * again after a failure, so an app can start (and report not-ready) while Kafka is down.
 * Not kafkajs' experimental idempotent mode: duplicates from retries are absorbed downstream
 * (dedupe by span/event id, ReplacingMergeTree), and concurrent sends keep the gateway fast.
 */
export class TopicProducer {
  private readonly producer: Producer;
  private connecting?: Promise<void>;

  constructor(kafka: Kafka) {
    // The Java-compatible murmur2 partitioner: a trace lands on the same partition whoever produces it.
    this.producer = kafka.producer({
      createPartitioner: Murmur2Partitioner,
      allowAutoTopicCreation: false,
    });
  }

  static async connect(kafka: Kafka): Promise<TopicProducer> {
    const producer = new TopicProducer(kafka);
    await producer.ensureConnected();
    return producer;
  }

  ensureConnected(): Promise<void> {
    this.connecting ??= this.producer.connect().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  async publish<T extends TopicName>(topic: T, records: readonly TopicRecord<T>[]): Promise<void> {
    if (records.length === 0) return;
    await this.publishRaw(
      topic,
      records.map((record) => ({
        key: topicRecordKey(topic, record),
        value: encodeTopicRecord(topic, record),
      })),
    );
  }

  /** Publishes already-keyed values (dead letters keep the original record's key). */
  async publishRaw(topic: TopicName, messages: RawMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.ensureConnected();
    await this.producer.send({ topic, acks: -1, messages });
  }

  async disconnect(): Promise<void> {
    this.connecting = undefined;
    await this.producer.disconnect();
  }
}

import { encodeTopicRecord, TopicName, TopicRecord, topicRecordKey } from '@agentmon/contracts';
import { CompressionTypes, Kafka, Producer } from 'kafkajs';

/**
 * Typed producer: each topic's records are encoded and keyed as its contract says,
 * and a send resolves only once every in-sync replica has the records (acks=all).
 */
export class TopicProducer {
  private constructor(private readonly producer: Producer) {}

  static async connect(kafka: Kafka): Promise<TopicProducer> {
    // Not kafkajs' experimental idempotent mode: retried duplicates are absorbed downstream
    // (dedupe by span id, ReplacingMergeTree), and concurrent sends keep the gateway fast.
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    return new TopicProducer(producer);
  }

  async publish<T extends TopicName>(topic: T, records: readonly TopicRecord<T>[], timeoutMs = 30000): Promise<void> {
    if (records.length === 0) return;
    await this.producer.send({
      topic,
      acks: -1,
      timeout: timeoutMs,
      compression: CompressionTypes.None,
      messages: records.map((record) => ({ key: topicRecordKey(topic, record), value: encodeTopicRecord(topic, record) })),
    });
  }

  /** Publishes already-keyed values (dead letters keep the original record's key). */
  async publishRaw(topic: TopicName, messages: { key: string | null; value: string }[]): Promise<void> {
    if (messages.length === 0) return;
    await this.producer.send({ topic, acks: -1, messages });
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }
}

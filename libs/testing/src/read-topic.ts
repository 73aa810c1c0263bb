import { decodeTopicRecord, type TopicName, type TopicRecord } from '@agentmon/contracts';
import type { Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';

/**
 * Reads a topic from the beginning with a fresh consumer group until `done` holds for the valid
 * records seen so far. Topics are shared between suites, some of which put invalid records on
 * them on purpose: those are skipped, not fatal.
 */
export async function readTopicUntil<T extends TopicName>(
  kafka: Kafka,
  topic: T,
  done: (records: TopicRecord<T>[]) => boolean,
  // Topics are shared by every suite of a run and read from the beginning: allow for a long one.
  timeoutMs = 60000,
): Promise<TopicRecord<T>[]> {
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}` });
  const seen: TopicRecord<T>[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read ${seen.length} records of ${topic}, condition not met`)),
        timeoutMs,
      );
      // `done` once per fetched batch, not per record: callers filter everything seen so far,
      // and per record that is quadratic in a topic every suite has written to.
      void consumer.run({
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) {
            const parsed = decodeTopicRecord(topic, message.value);
            if (parsed.ok) seen.push(parsed.value);
          }
          if (done(seen)) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

import {
  DeadLetter,
  decodeTopicRecord,
  encodeDeadLetterValue,
  TopicName,
  TopicRecord,
} from '@agentmon/contracts';

export interface RawKafkaMessage {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  timestamp: string;
}

export interface DecodedRecord<T> {
  offset: string;
  key: string | null;
  timestamp: number;
  value: T;
}

export interface DecodedBatch<T> {
  records: DecodedRecord<T>[];
  deadLetters: { key: string | null; letter: DeadLetter }[];
}

/**
 * Splits a fetched batch into records that match the topic's contract and dead letters naming
 * why the rest do not. Pure: the transport publishes the dead letters before the handler runs.
 */
export function decodeBatch<T extends TopicName>(
  topic: T,
  partition: number,
  messages: readonly RawKafkaMessage[],
  consumer: { app: string; group: string },
  now = Date.now(),
): DecodedBatch<TopicRecord<T>> {
  const batch: DecodedBatch<TopicRecord<T>> = { records: [], deadLetters: [] };
  for (const message of messages) {
    const key = message.key ? message.key.toString('utf8') : null;
    const parsed = decodeTopicRecord(topic, message.value);
    if (parsed.ok) {
      batch.records.push({
        offset: message.offset,
        key,
        timestamp: Number(message.timestamp),
        value: parsed.value,
      });
      continue;
    }
    const invalidJson = parsed.issues.some((issue) => issue.message.startsWith('invalid JSON'));
    batch.deadLetters.push({
      key,
      letter: {
        source_topic: topic,
        partition,
        offset: message.offset,
        key: key === null ? null : key.slice(0, 4096),
        value: encodeDeadLetterValue(message.value),
        reason: invalidJson ? 'invalid_json' : 'schema_validation',
        message: parsed.issues
          .slice(0, 5)
          .map((issue) => `${issue.path || '(record)'}: ${issue.message}`)
          .join('; ')
          .slice(0, 4096),
        issues: parsed.issues.slice(0, 100).map((issue) => ({
          path: issue.path.slice(0, 4096),
          message: issue.message.slice(0, 4096),
        })),
        failed_at: now,
        consumer: consumer.app,
        consumer_group: consumer.group,
        attempts: 1,
      },
    });
  }
  return batch;
}

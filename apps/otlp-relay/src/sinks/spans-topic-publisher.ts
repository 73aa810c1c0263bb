import { DeadLetter, encodeTopicRecord, Topics } from '@agentmon/contracts';
import { GATEWAY_MAC_HEADER, signGatewayRecord } from '@agentmon/ingest-auth';
import type { RawMessage, TopicProducer } from '@agentmon/kafka';
import type { KeyedSpansRecord } from '@agentmon/otlp';
import { PermanentError } from '@agentmon/stream-runtime';
import type { OtlpRelaySinks } from '../ports/otlp-relay-sinks.port';

export interface SpansTopicPublisherOptions {
  /** INGEST_RECORD_SECRETS[0]: the gateway's mark, so a sessionizer requiring producer keys takes them. */
  signingSecret?: string;
  /** Most value bytes per produce request (a Kafka broker refuses record batches over ~1 MB). */
  maxRequestBytes?: number;
}

/** kafkajs error types meaning Kafka refuses the records themselves (retrying cannot help). */
const REFUSED = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
]);

/**
 * The relay's sinks: spans-topic records keyed by trace id, signed like the gateway's own when a
 * secret is configured (the relay authenticated the producer's key, as the gateway does), sent
 * in order in requests of bounded size, each acknowledged by every in-sync replica (acks=all);
 * then the dead letters of records some spans of which were refused.
 */
export class SpansTopicPublisher implements OtlpRelaySinks {
  private readonly maxRequestBytes: number;

  constructor(
    private readonly producer: Pick<TopicProducer, 'publishRaw'>,
    private readonly options: SpansTopicPublisherOptions = {},
  ) {
    this.maxRequestBytes = options.maxRequestBytes ?? 512 * 1024;
  }

  async publish(
    records: readonly KeyedSpansRecord[],
    letters: readonly DeadLetter[],
  ): Promise<void> {
    let chunk: RawMessage[] = [];
    let bytes = 0;
    for (const { key, record } of records) {
      const value = encodeTopicRecord(Topics.spans, record);
      if (chunk.length > 0 && bytes + value.length > this.maxRequestBytes) {
        await this.send(Topics.spans, chunk);
        chunk = [];
        bytes = 0;
      }
      chunk.push(this.signed(key, value));
      bytes += value.length;
    }
    await this.send(Topics.spans, chunk);
    await this.send(
      Topics.deadLetter,
      letters.map((letter) => ({ key: letter.key, value: JSON.stringify(letter) })),
    );
  }

  private signed(key: string, value: string): RawMessage {
    const secret = this.options.signingSecret;
    if (!secret) return { key, value };
    return {
      key,
      value,
      headers: {
        [GATEWAY_MAC_HEADER]: signGatewayRecord(secret, { topic: Topics.spans, key, value }),
      },
    };
  }

  private async send(
    topic: typeof Topics.spans | typeof Topics.deadLetter,
    messages: RawMessage[],
  ) {
    try {
      await this.producer.publishRaw(topic, messages);
    } catch (error) {
      const type = (error as { type?: string }).type;
      const causeType = (error as { cause?: { type?: string } }).cause?.type;
      if (REFUSED.has(type ?? '') || REFUSED.has(causeType ?? ''))
        throw new PermanentError(`Kafka refused the records: ${(error as Error).message}`);
      throw error;
    }
  }
}

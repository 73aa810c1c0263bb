import { ApiKeyRegistry, API_KEY_HEADER, headerText } from '@agentmon/ingest-auth';
import {
  OtlpDecodeError,
  splitOtlpKafkaRecord,
  type KeyedSpansRecord,
  type OtlpKafkaEncoding,
} from '@agentmon/otlp';
import type { Admission, RawTopicInput, WireRecord } from '@agentmon/stream-runtime';

/** One Collector record, authenticated and split: the spans-topic records it becomes. */
export interface OtlpBatch {
  projectId: string;
  messages: KeyedSpansRecord[];
  spans: number;
  events: number;
  /** Spans the span contract refused (each explained in `errors`, first 20). */
  rejectedSpans: number;
  errors: string[];
  /** The original value, kept (by reference) only when some spans were refused: its dead letter. */
  refusedValue: Buffer | null;
}

/**
 * The relay's input: the Collector Kafka exporter's topic, read as bytes. Each record is
 * authenticated from its `agentmon-api-key` header exactly as a direct producer's (the tenant
 * comes from the key, never from the data), then decoded and split by `splitOtlpKafkaRecord`.
 * No key, an unknown key → `unauthenticated`; a value that is not an ExportTraceServiceRequest in
 * the configured encoding → `undecodable`, with the decoder's reason.
 */
export class OtlpBatchDecoder implements RawTopicInput<OtlpBatch> {
  constructor(
    readonly topic: string,
    private readonly encoding: OtlpKafkaEncoding,
    private readonly registry: ApiKeyRegistry,
    private readonly clock: () => number = Date.now,
  ) {}

  decode(wire: WireRecord<null>): Admission<OtlpBatch> {
    const key = headerText(wire.headers, API_KEY_HEADER);
    if (key === undefined)
      return { ok: false, reason: 'unauthenticated', message: `no ${API_KEY_HEADER} header` };
    const projectId = this.registry.projectFor(key);
    if (projectId === undefined)
      return { ok: false, reason: 'unauthenticated', message: `unknown ${API_KEY_HEADER}` };
    if (wire.value === null || wire.value.length === 0)
      return { ok: false, reason: 'undecodable', message: 'record has no value' };
    try {
      const split = splitOtlpKafkaRecord(wire.value, this.encoding, projectId, this.clock());
      return {
        ok: true,
        value: {
          projectId,
          messages: split.messages,
          spans: split.spans,
          events: split.events,
          rejectedSpans: split.rejectedSpans,
          errors: split.errors,
          refusedValue: split.rejectedSpans > 0 ? wire.value : null,
        },
      };
    } catch (error) {
      // Whatever the decoder throws on one record must not stop the others: dead-letter it.
      const why = error instanceof OtlpDecodeError ? error.message : String(error);
      return {
        ok: false,
        reason: 'undecodable',
        message: `not an ${this.encoding} ExportTraceServiceRequest: ${why}`,
      };
    }
  }
}

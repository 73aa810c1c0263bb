import { decodeExportTraceRequest, OtlpDecodeError } from './otlp-proto';
import { OtlpConversion, otlpToRecords } from './otlp-to-records';

/** The OpenTelemetry Collector Kafka exporter's trace encodings this reader takes. */
export type OtlpKafkaEncoding = 'otlp_proto' | 'otlp_json';

export interface KeyedSpansRecord {
  /** The trace id: the spans topic is keyed by it, whatever key the Collector used. */
  key: string;
  record: OtlpConversion['records'][number];
}

export interface OtlpKafkaSplit extends Omit<OtlpConversion, 'records'> {
  messages: KeyedSpansRecord[];
}

/**
 * One Collector Kafka record (an ExportTraceServiceRequest per record, `otlp_proto` binary or
 * `otlp_json` text) → spans-topic records keyed by trace id, for the project the record's API
 * key header resolved to. A value that is not a request throws OtlpDecodeError (the caller
 * dead-letters it); bad spans inside are counted and explained like the HTTP route does.
 */
export function splitOtlpKafkaRecord(
  value: Uint8Array,
  encoding: OtlpKafkaEncoding,
  projectId: string,
  receivedAt: number,
): OtlpKafkaSplit {
  let request: unknown;
  if (encoding === 'otlp_proto') request = decodeExportTraceRequest(value);
  else {
    try {
      request = JSON.parse(Buffer.from(value).toString('utf8'));
    } catch (error) {
      throw new OtlpDecodeError(`otlp_json record is not JSON: ${(error as Error).message}`);
    }
  }
  const { records, ...rest } = otlpToRecords(request, projectId, receivedAt);
  return {
    ...rest,
    messages: records.map((record) => ({
      key: record.kind === 'span' ? record.span.trace_id : record.event.trace_id,
      record,
    })),
  };
}

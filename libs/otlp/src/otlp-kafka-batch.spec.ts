import { encodeExportTraceRequest } from './otlp-proto';
import { splitOtlpKafkaRecord } from './otlp-kafka-batch';

const T0 = BigInt(Date.UTC(2025, 0, 1)) * 1_000_000n;
const hex = (byte: number, n: number) => Buffer.alloc(n, byte);

function span(traceByte: number, spanByte: number, parent?: number, attributes: object[] = []) {
  return {
    traceId: hex(traceByte, 16),
    spanId: hex(spanByte, 8),
    ...(parent !== undefined && { parentSpanId: hex(parent, 8) }),
    name: 'step',
    startTimeUnixNano: T0.toString(),
    endTimeUnixNano: (T0 + 2_000_000n).toString(),
    attributes,
  };
}

const request = {
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bot' } }] },
      scopeSpans: [
        {
          spans: [
            span(1, 1, undefined, [{ key: 'agentmon.completed', value: { boolValue: true } }]),
            span(1, 2, 1),
            span(2, 3),
            { ...span(3, 4), endTimeUnixNano: '1' },
          ],
        },
      ],
    },
  ],
};

describe('splitOtlpKafkaRecord (Collector Kafka exporter batches)', () => {
  it.each(['otlp_proto', 'otlp_json'] as const)(
    '%s: one record per span (plus root-span events), each keyed by its trace id',
    (encoding) => {
      const value =
        encoding === 'otlp_proto'
          ? encodeExportTraceRequest(request)
          : Buffer.from(
              JSON.stringify(request, (_k, v: unknown) =>
                v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer'
                  ? Buffer.from((v as { data: number[] }).data).toString('hex')
                  : v,
              ),
            );
      const split = splitOtlpKafkaRecord(value, encoding, 'proj', Date.UTC(2025, 0, 2));
      expect(split.spans).toBe(3);
      expect(split.rejectedSpans).toBe(1);
      expect(split.errors[0]).toContain('end_time');
      const t1 = '01'.repeat(16);
      const t2 = '02'.repeat(16);
      expect(split.messages.map((m) => [m.key, m.record.kind])).toEqual([
        [t1, 'span'],
        [t1, 'event'],
        [t1, 'span'],
        [t2, 'span'],
      ]);
      expect(split.messages.every((m) => m.record.project_id === 'proj')).toBe(true);
    },
  );

  it.each([
    ['otlp_proto', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f])],
    ['otlp_json', Buffer.from('{not json')],
    ['otlp_json', Buffer.from('"a string"')],
  ] as const)('%s: a value that is not a request throws OtlpDecodeError', (encoding, value) => {
    expect(() => splitOtlpKafkaRecord(value, encoding, 'proj', 0)).toThrow(
      expect.objectContaining({ name: 'OtlpDecodeError' }),
    );
  });
});

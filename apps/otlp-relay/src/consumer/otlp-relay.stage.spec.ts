import { DeadLetterSchema, SpansTopicRecordSchema, Topics } from '@agentmon/contracts';
import {
  ApiKeyRegistry,
  GATEWAY_MAC_HEADER,
  verifyGatewayRecord,
  type KafkaHeaders,
} from '@agentmon/ingest-auth';
import type { RawMessage } from '@agentmon/kafka';
import { encodeExportTraceRequest } from '@agentmon/otlp';
import { RetryPolicy, StageRunner } from '@agentmon/stream-runtime';
import { SpansTopicPublisher } from '../sinks/spans-topic-publisher';
import { OtlpBatchDecoder } from './otlp-batch-decoder';
import { OtlpRelayStage } from './otlp-relay.stage';

const KEY = 'am_live_collector';
const registry = new ApiKeyRegistry([
  { projectId: 'proj-a', keySha256: ApiKeyRegistry.digest(KEY) },
]);
const T0 = BigInt(Date.UTC(2025, 0, 1)) * 1_000_000n;
const SECRET = 's'.repeat(32);

function otlpSpan(traceByte: number, spanByte: number, parent?: number, attrs: object[] = []) {
  return {
    traceId: Buffer.alloc(16, traceByte),
    spanId: Buffer.alloc(8, spanByte),
    ...(parent !== undefined && { parentSpanId: Buffer.alloc(8, parent) }),
    name: 'step',
    startTimeUnixNano: T0.toString(),
    endTimeUnixNano: (T0 + 2_000_000n).toString(),
    attributes: attrs,
  };
}

const request = (...spans: object[]) =>
  Buffer.from(encodeExportTraceRequest({ resourceSpans: [{ scopeSpans: [{ spans }] }] }));

const wire = (value: Buffer | null, headers: KafkaHeaders = { 'agentmon-api-key': KEY }) => ({
  key: null,
  value,
  headers,
  record: null,
});

const decoder = new OtlpBatchDecoder('otlp_spans', 'otlp_proto', registry, () =>
  Date.UTC(2025, 0, 1, 0, 1),
);

describe('OtlpBatchDecoder (the relay input: authenticate, then split)', () => {
  it('takes the tenant from the agentmon-api-key header, whatever the batch says', () => {
    const result = decoder.decode(
      wire(
        request(
          otlpSpan(1, 1, undefined, [{ key: 'agentmon.completed', value: { boolValue: true } }]),
          otlpSpan(1, 2, 1),
        ),
      ),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toMatchObject({
      projectId: 'proj-a',
      spans: 2,
      events: 1,
      rejectedSpans: 0,
    });
    expect(result.value.refusedValue).toBeNull();
    expect(result.value.messages.every((m) => m.record.project_id === 'proj-a')).toBe(true);
    expect(new Set(result.value.messages.map((m) => m.key))).toEqual(new Set(['01'.repeat(16)]));
  });

  it.each([
    ['no header', {}, 'no agentmon-api-key header'],
    ['an empty header', { 'agentmon-api-key': '' }, 'no agentmon-api-key header'],
    ['an unknown key', { 'agentmon-api-key': 'am_wrong' }, 'unknown agentmon-api-key'],
    ['a repeated header', { 'agentmon-api-key': [KEY, KEY] }, 'no agentmon-api-key header'],
  ])('%s → unauthenticated (before the value is even decoded)', (_name, headers, message) => {
    expect(decoder.decode(wire(Buffer.from('garbage'), headers as KafkaHeaders))).toEqual({
      ok: false,
      reason: 'unauthenticated',
      message,
    });
  });

  it.each([
    ['protobuf garbage', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f])],
    ['no value', null],
  ])('%s → undecodable, with the reason', (_name, value) => {
    const result = decoder.decode(wire(value));
    expect(result).toMatchObject({ ok: false, reason: 'undecodable' });
  });

  it('otlp_json: text that is not JSON → undecodable naming the encoding', () => {
    const json = new OtlpBatchDecoder('t', 'otlp_json', registry);
    expect(json.decode(wire(Buffer.from('{nope')))).toMatchObject({
      ok: false,
      reason: 'undecodable',
      message: expect.stringContaining('otlp_json'),
    });
  });

  it('keeps the original bytes when some spans are refused (for their dead letter)', () => {
    const bad = { ...otlpSpan(2, 3), endTimeUnixNano: '1' };
    const result = decoder.decode(wire(request(otlpSpan(2, 4), bad)));
    expect(result).toMatchObject({ ok: true, value: { spans: 1, rejectedSpans: 1 } });
    if (result.ok) expect(result.value.refusedValue).not.toBeNull();
  });
});

class MemoryProducer {
  readonly sent: { topic: string; messages: RawMessage[] }[] = [];
  failures: Error[] = [];
  async publishRaw(topic: string, messages: RawMessage[]): Promise<void> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    if (messages.length > 0) this.sent.push({ topic, messages });
  }
  on(topic: string) {
    return this.sent.filter((s) => s.topic === topic).flatMap((s) => s.messages);
  }
}

function setup(options: { secret?: string; maxRequestBytes?: number } = {}) {
  const producer = new MemoryProducer();
  const commits: string[] = [];
  const letters: unknown[] = [];
  const stage = new OtlpRelayStage(
    decoder,
    new SpansTopicPublisher(producer, {
      signingSecret: options.secret,
      maxRequestBytes: options.maxRequestBytes,
    }),
    { app: 'otlp-relay', group: 'g' },
  );
  const runner = new StageRunner(
    stage,
    {
      commit: async (_p, offset) => void commits.push(offset),
      publishDeadLetters: async (l) => void letters.push(...l),
      heartbeat: async () => undefined,
    },
    new RetryPolicy({ initialDelayMs: 1, maxDelayMs: 2, maxAttempts: Infinity }),
  );
  let offset = 0;
  const batch = (values: Buffer[], extra = 0) => {
    const records = values.map((value) => {
      const decoded = decoder.decode(wire(value));
      if (!decoded.ok) throw new Error(decoded.message);
      return { offset: String(offset++), key: 'collector-key', timestamp: 0, value: decoded.value };
    });
    offset += extra;
    return { partition: 0, records, endOffset: BigInt(offset) };
  };
  return { producer, commits, letters, stage, runner, batch };
}

describe('OtlpRelayStage through the StageRunner', () => {
  it('publishes every span and event keyed by trace id, then commits past the batch', async () => {
    const { producer, commits, runner, batch } = setup();
    await runner.handle(batch([request(otlpSpan(1, 1), otlpSpan(2, 2)), request(otlpSpan(3, 3))]));
    const spans = producer.on(Topics.spans);
    expect(spans.map((m) => m.key)).toEqual(['01'.repeat(16), '02'.repeat(16), '03'.repeat(16)]);
    for (const m of spans) expect(SpansTopicRecordSchema.parse(JSON.parse(m.value))).toBeTruthy();
    expect(spans.every((m) => m.headers === undefined)).toBe(true);
    expect(commits).toEqual(['2']);
  });

  it("commits past records the runtime dead-lettered at the batch's end", async () => {
    const { commits, runner, batch } = setup();
    await runner.handle(batch([request(otlpSpan(1, 1))], 3));
    expect(commits).toEqual(['4']);
    await runner.handle({ partition: 0, records: [], endOffset: 9n });
    expect(commits).toEqual(['4', '9']);
  });

  it('signs each record with the gateway mark when INGEST_RECORD_SECRETS is set', async () => {
    const { producer, runner, batch } = setup({ secret: SECRET });
    await runner.handle(batch([request(otlpSpan(1, 1))]));
    const [m] = producer.on(Topics.spans);
    const mark = m.headers?.[GATEWAY_MAC_HEADER];
    expect(
      verifyGatewayRecord([SECRET], { topic: Topics.spans, key: m.key, value: m.value }, mark),
    ).toBe(true);
  });

  it('splits a large batch into produce requests of bounded size, in order', async () => {
    const { producer, runner, batch } = setup({ maxRequestBytes: 1000 });
    const spans = Array.from({ length: 20 }, (_, i) => otlpSpan(i + 1, i + 1));
    await runner.handle(batch([request(...spans)]));
    const sends = producer.sent.filter((s) => s.topic === Topics.spans);
    expect(sends.length).toBeGreaterThan(1);
    expect(sends.flatMap((s) => s.messages).map((m) => m.key)).toEqual(
      spans.map((s) => s.traceId.toString('hex')),
    );
  });

  it('holds the commit back while Kafka fails, retries, and commits once acknowledged', async () => {
    const { producer, commits, runner, batch } = setup();
    producer.failures.push(new Error('broker down'), new Error('broker down'));
    await runner.handle(batch([request(otlpSpan(1, 1))]));
    expect(producer.on(Topics.spans)).toHaveLength(1);
    expect(commits).toEqual(['1']);
  });

  it('relays the valid spans of a partly refused record and dead-letters it with the field named', async () => {
    const { producer, runner, batch } = setup();
    const bad = { ...otlpSpan(4, 4), endTimeUnixNano: '1' };
    await runner.handle(batch([request(otlpSpan(5, 5), bad)]));
    expect(producer.on(Topics.spans)).toHaveLength(1);
    const [letter] = producer
      .on(Topics.deadLetter)
      .map((m) => DeadLetterSchema.parse(JSON.parse(m.value)));
    expect(letter).toMatchObject({
      source_topic: 'otlp_spans',
      offset: '0',
      reason: 'schema_validation',
      consumer: 'otlp-relay',
      value: { encoding: 'base64' },
    });
    expect(letter.message).toContain('end_time');
    expect(letter.message).toContain('04'.repeat(8));
  });

  it('a record Kafka refuses for good is dead-lettered alone (sink_rejected); the others go through', async () => {
    const { producer, letters, commits, runner, batch } = setup();
    const tooLarge = Object.assign(new Error('too large'), { type: 'MESSAGE_TOO_LARGE' });
    // The whole cycle, then its first half, are refused; the second half is stored.
    producer.failures.push(tooLarge, tooLarge);
    await runner.handle(batch([request(otlpSpan(6, 6)), request(otlpSpan(7, 7))]));
    expect(producer.on(Topics.spans).map((m) => m.key)).toEqual(['07'.repeat(16)]);
    expect(letters).toEqual([
      expect.objectContaining({
        letter: expect.objectContaining({
          reason: 'sink_rejected',
          offset: '0',
          source_topic: 'otlp_spans',
        }),
      }),
    ]);
    expect(commits).toEqual(['2']);
  });

  it('forgets a revoked partition', async () => {
    const { stage, batch } = setup();
    stage.ingest(batch([request(otlpSpan(1, 1))]));
    stage.revokePartition(0);
    expect(stage.takeOutput()).toEqual([]);
    expect(stage.committableOffset(0)).toBeNull();
  });
});

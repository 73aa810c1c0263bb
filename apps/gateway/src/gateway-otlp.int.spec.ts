import { SpansTopicRecord, Topics } from '@agentmon/contracts';
import { createKafka, ensureTopics } from '@agentmon/kafka';
import { AppProcess } from '@agentmon/launcher';
import { decodeExportTraceResponse, encodeExportTraceRequest } from '@agentmon/otlp';
import { readTopicUntil } from '@agentmon/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { ApiKeyRegistry } from './auth/api-key-registry';

const KEY = `am_${randomUUID()}`;
const T0 = BigInt(Date.UTC(2025, 5, 1)) * 1_000_000n;

function brokers(): string[] {
  const list = process.env.KAFKA_BROKERS;
  if (!list) throw new Error('KAFKA_BROKERS not set by the integration global setup');
  return list.split(',');
}

async function recordsOfTrace(traceId: string, expected: number): Promise<SpansTopicRecord[]> {
  const ofTrace = (records: SpansTopicRecord[]) =>
    records.filter((r) => (r.kind === 'span' ? r.span.trace_id : r.event.trace_id) === traceId);
  return ofTrace(
    await readTopicUntil(
      createKafka({ brokers: brokers(), clientId: 'gw-otlp' }),
      Topics.spans,
      (seen) => ofTrace(seen).length >= expected,
      20000,
    ),
  );
}

const spansOf = (records: SpansTopicRecord[]) =>
  records.flatMap((r) => (r.kind === 'span' ? [r.span] : []));
const eventsOf = (records: SpansTopicRecord[]) =>
  records.flatMap((r) => (r.kind === 'event' ? [r.event] : []));

describe('OTLP/HTTP traces at /v1/traces', () => {
  let gateway: AppProcess;
  let url: string;

  beforeAll(async () => {
    await ensureTopics(createKafka({ brokers: brokers(), clientId: 'gw-otlp' }), [Topics.spans], 3);
    gateway = AppProcess.start('gateway', {
      GATEWAY_PORT: '0',
      GATEWAY_API_KEYS: `proj-otlp:${ApiKeyRegistry.digest(KEY)}`,
      GATEWAY_MAX_BODY_BYTES: '500000',
      GATEWAY_OTLP_MAX_SPANS_PER_REQUEST: '100',
    });
    url = await gateway.url();
  });

  afterAll(async () => {
    gateway.kill('SIGTERM');
    expect(await gateway.exitCode()).toBe(0);
  });

  /** The stand-in agent, instrumented with the OpenTelemetry SDK, in its own process. */
  async function runAgent(exporter: 'proto' | 'json'): Promise<string> {
    const agent = AppProcess.script('apps/gateway/src/testing/otel-genai-agent.ts', [], {
      OTLP_URL: `${url}/v1/traces`,
      OTLP_KEY: KEY,
      OTLP_EXPORTER: exporter,
    });
    const code = await agent.exitCode();
    expect({ code, stderr: agent.stderr.join('') }).toEqual({ code: 0, stderr: '' });
    const line = agent.lines.find((l) => typeof l.traceId === 'string');
    return String(line?.traceId);
  }

  it.each([
    ['exporter-trace-otlp-proto (gzip)', 'proto' as const],
    ['exporter-trace-otlp-http (JSON)', 'json' as const],
  ])('%s: GenAI spans land on the spans topic, mapped', async (_name, exporter) => {
    const traceId = await runAgent(exporter);
    const records = await recordsOfTrace(traceId, 5);
    expect(new Set(records.map((r) => r.project_id))).toEqual(new Set(['proj-otlp']));
    const spans = spansOf(records);
    const byOp = Object.fromEntries(spans.map((s) => [s.operation, s]));
    expect(Object.keys(byOp).sort()).toEqual(['agent_step', 'llm_call', 'tool_call']);
    expect(byOp.agent_step.parent_span_id).toBeNull();
    expect(byOp.llm_call.attributes).toMatchObject({
      model: 'claude-sonnet-4',
      input_tokens: 1200,
      cache_read_tokens: 300,
      output_tokens: 300,
      stop_reason: 'tool_use',
    });
    expect(byOp.tool_call).toMatchObject({
      status: 'ERROR',
      error_type: 'tool_failure',
      error_message: 'order service down',
      attributes: { tool_name: 'lookup_order', tool_input_truncated: true },
    });
    expect(byOp.tool_call.attributes.tool_input).toHaveLength(500);
    expect(byOp.tool_call.events.map((e) => e.name)).toEqual(['exception']);
    const events = eventsOf(records);
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'trace_start',
          context: {
            session_id: 'conv-42',
            task_type: 'refund',
            user_segment: 'enterprise',
            agent_version: '4.2',
          },
        }),
        expect.objectContaining({ type: 'trace_end', completed: true }),
      ]),
    );
  });

  const otlpSpan = (traceId: Buffer, over: Record<string, unknown> = {}) => ({
    traceId,
    spanId: randomBytes(8),
    name: 'chat',
    startTimeUnixNano: T0.toString(),
    endTimeUnixNano: (T0 + 5_000_000n).toString(),
    attributes: [{ key: 'gen_ai.operation.name', value: { stringValue: 'chat' } }],
    ...over,
  });

  it('answers partial_success (protobuf) counting the refused span and naming its field', async () => {
    const traceId = randomBytes(16);
    const body = encodeExportTraceRequest({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                otlpSpan(traceId),
                otlpSpan(traceId, { endTimeUnixNano: (T0 - 1_000_000n).toString() }),
              ],
            },
          ],
        },
      ],
    });
    const response = await fetch(`${url}/v1/traces`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-protobuf',
        'content-encoding': 'gzip',
        authorization: `Bearer ${KEY}`,
      },
      body: gzipSync(body),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/x-protobuf');
    const decoded = decodeExportTraceResponse(new Uint8Array(await response.arrayBuffer()));
    expect(decoded.partialSuccess?.rejectedSpans).toBe(1);
    expect(decoded.partialSuccess?.errorMessage).toContain('end_time');
    expect(spansOf(await recordsOfTrace(traceId.toString('hex'), 1))).toHaveLength(1);
  });

  it('answers OTLP/JSON with hex ids and string int64, partial_success in JSON', async () => {
    const traceId = randomBytes(16).toString('hex');
    const span = (spanId: string, startNano: string) => ({
      traceId,
      spanId,
      name: 'retrieve',
      startTimeUnixNano: startNano,
      endTimeUnixNano: (T0 + 1_000_000n).toString(),
      attributes: [{ key: 'gen_ai.operation.name', value: { stringValue: 'retrieval' } }],
    });
    const response = await fetch(`${url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify({
        resourceSpans: [
          {
            scopeSpans: [
              { spans: [span(randomBytes(8).toString('hex'), T0.toString()), span('zz', '1')] },
            ],
          },
        ],
      }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      partialSuccess: { rejectedSpans: '1', errorMessage: expect.stringContaining('spanId') },
    });
    const [only] = spansOf(await recordsOfTrace(traceId, 1));
    expect(only).toMatchObject({ operation: 'retrieval', parent_span_id: null });
  });

  it('answers an empty ExportTraceServiceResponse when everything was accepted', async () => {
    const traceId = randomBytes(16);
    const response = await fetch(`${url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${KEY}` },
      body: encodeExportTraceRequest({
        resourceSpans: [{ scopeSpans: [{ spans: [otlpSpan(traceId)] }] }],
      }),
    });
    expect(response.status).toBe(200);
    expect(new Uint8Array(await response.arrayBuffer())).toHaveLength(0);
  });

  it.each([
    ['a body that is not protobuf', 'application/x-protobuf', Buffer.from([0xff, 0xff, 0xff]), 400],
    ['a JSON body that is not a request', 'application/json', '[1,2]', 400],
    ['an unsupported content type', 'text/plain', 'hello', 415],
  ])('answers %s with %s', async (_name, type, body, status) => {
    const response = await fetch(`${url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': type, authorization: `Bearer ${KEY}` },
      body,
    });
    expect(response.status).toBe(status);
  });

  it('answers 413 past the spans-per-export cap and 401 without a key', async () => {
    const traceId = randomBytes(16);
    const many = Array.from({ length: 101 }, () => otlpSpan(traceId));
    const body = encodeExportTraceRequest({ resourceSpans: [{ scopeSpans: [{ spans: many }] }] });
    const post = (headers: Record<string, string>) =>
      fetch(`${url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf', ...headers },
        body,
      });
    expect((await post({ authorization: `Bearer ${KEY}` })).status).toBe(413);
    expect((await post({})).status).toBe(401);
  });
});

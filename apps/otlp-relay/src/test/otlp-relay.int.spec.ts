import { Topics } from '@agentmon/contracts';
import { ApiKeyRegistry } from '@agentmon/ingest-auth';
import { AppProcess } from '@agentmon/launcher';
import { encodeExportTraceRequest } from '@agentmon/otlp';
import { readTopicUntil } from '@agentmon/testing';
import { TracePipeline } from '@agentmon/trace-pipeline';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

// The Collector's Kafka exporter (kcat stands in for it, writing the same otlp_proto bytes) and
// the OTel JS SDK's OTLP/HTTP exporter, each through the real relay / gateway and sessionizer
// (which requires a producer key or the gateway's mark) into ClickHouse.

const KEY = `am_live_${randomUUID()}`;
const OTLP_TOPIC = `otlp_spans_${randomUUID().slice(0, 8)}`;
const kafka = () => TracePipeline.kafka('otlp-relay-it');

const attr = (key: string, value: string | number | boolean) => ({
  key,
  value:
    typeof value === 'string'
      ? { stringValue: value }
      : typeof value === 'boolean'
        ? { boolValue: value }
        : { intValue: value },
});

/** An agent run as the Collector batches it: root agent span, an LLM call, a failed tool call. */
function collectorBatch(traceId: Buffer): Uint8Array {
  const t0 = BigInt(Date.now() - 60_000) * 1_000_000n;
  const ms = (n: number) => (t0 + BigInt(n) * 1_000_000n).toString();
  const root = randomBytes(8);
  const span = (name: string, from: number, to: number, attributes: object[], extra = {}) => ({
    traceId,
    spanId: randomBytes(8),
    parentSpanId: root,
    name,
    startTimeUnixNano: ms(from),
    endTimeUnixNano: ms(to),
    attributes,
    ...extra,
  });
  return encodeExportTraceRequest({
    resourceSpans: [
      {
        resource: { attributes: [attr('service.name', 'collector-bot')] },
        scopeSpans: [
          {
            spans: [
              {
                traceId,
                spanId: root,
                name: 'invoke_agent triage',
                startTimeUnixNano: ms(0),
                endTimeUnixNano: ms(3000),
                attributes: [
                  attr('gen_ai.operation.name', 'invoke_agent'),
                  attr('agentmon.task_type', 'triage'),
                  attr('agentmon.completed', true),
                  attr('agentmon.final_output', 'routed to billing'),
                ],
              },
              span('chat claude-sonnet-4', 10, 1500, [
                attr('gen_ai.operation.name', 'chat'),
                attr('gen_ai.request.model', 'claude-sonnet-4'),
                attr('gen_ai.usage.input_tokens', 1500),
                attr('gen_ai.usage.cache_read.input_tokens', 300),
                attr('gen_ai.usage.output_tokens', 300),
              ]),
              span(
                'execute_tool lookup_account',
                1600,
                2500,
                [
                  attr('gen_ai.operation.name', 'execute_tool'),
                  attr('gen_ai.tool.name', 'lookup_account'),
                ],
                { status: { code: 2, message: 'account service down' } },
              ),
            ],
          },
        ],
      },
    ],
  });
}

describe('OTLP into ClickHouse: Collector Kafka exporter topic (relay) and OTLP/HTTP (gateway)', () => {
  const pipeline = new TracePipeline({
    apiKeys: `collector-project:${ApiKeyRegistry.digest(KEY)}`,
    extraTopics: [OTLP_TOPIC],
  });
  const dir = mkdtempSync(join(tmpdir(), 'otlp-relay-it-'));
  let relay: AppProcess;

  beforeAll(async () => {
    await pipeline.start();
    relay = AppProcess.start('otlp-relay', {
      ...pipeline.auth,
      OTLP_RELAY_PORT: '0',
      OTLP_KAFKA_TOPIC: OTLP_TOPIC,
      OTLP_RELAY_GROUP_ID: `otlp-relay-${randomUUID()}`,
      OTLP_RELAY_SESSION_TIMEOUT_MS: '6000',
    });
    await relay.ready(90000);
  }, 150000);

  afterAll(async () => {
    await relay?.stop(15000);
    await pipeline.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60000);

  const summaryOf = (traceId: string) => pipeline.summaryOf(traceId);

  async function kcatFile(value: Uint8Array, args: string[]): Promise<void> {
    const file = join(dir, `${randomUUID()}.bin`);
    writeFileSync(file, value);
    // Given a file, kcat sends it as one message, bytes untouched (like the exporter's record).
    // Asynchronously: the broker may live in this very process (the suite's global setup).
    await promisify(execFile)('kcat', [
      '-P',
      '-b',
      TracePipeline.broker(),
      '-t',
      OTLP_TOPIC,
      ...args,
      file,
    ]);
  }

  it('kcat writes an otlp_proto batch with the API key header → the expected trace summary', async () => {
    const traceId = randomBytes(16);
    await kcatFile(collectorBatch(traceId), [
      '-k',
      'collector-batch-1',
      '-H',
      `agentmon-api-key=${KEY}`,
    ]);
    const row = await summaryOf(traceId.toString('hex'));
    expect(row).toMatchObject({ project_id: 'collector-project', task_type: 'triage' });
    expect(Number(row.span_count)).toBe(3);
    // gen_ai.usage.input_tokens includes the 300 cached tokens; AgentMon counts them apart.
    expect(Number(row.input_tokens)).toBe(1200);
    expect(Number(row.cache_read_tokens)).toBe(300);
    expect(Number(row.output_tokens)).toBe(300);
    expect(Number(row.tool_call_count)).toBe(1);
    expect(Number(row.tool_error_count)).toBe(1);
    expect(Number(row.errors_tool_failure)).toBe(1);
    expect(Number(row.completed)).toBe(1);
    // Default prices: $3/M input, $15/M output, $0.30/M cache read.
    expect(Number(row.cost_usd)).toBeCloseTo((1200 * 3 + 300 * 15 + 300 * 0.3) / 1e6, 9);
  });

  it('dead-letters a batch without a key (unauthenticated) and one that is not OTLP (undecodable)', async () => {
    const unkeyed = randomBytes(16);
    await kcatFile(collectorBatch(unkeyed), ['-k', 'no-key']);
    await kcatFile(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), [
      '-k',
      'garbage',
      '-H',
      `agentmon-api-key=${KEY}`,
    ]);
    const letters = await readTopicUntil(
      kafka(),
      Topics.deadLetter,
      (seen) => seen.filter((l) => l.source_topic === OTLP_TOPIC).length >= 2,
    );
    const ours = letters.filter((l) => l.source_topic === OTLP_TOPIC);
    expect(ours.map((l) => [l.key, l.reason, l.consumer]).sort()).toEqual([
      ['garbage', 'undecodable', 'otlp-relay'],
      ['no-key', 'unauthenticated', 'otlp-relay'],
    ]);
    expect(ours.find((l) => l.key === 'no-key')?.message).toBe('no agentmon-api-key header');
    // The original bytes are kept for a replay once the cause is fixed.
    expect(ours.every((l) => l.value?.encoding === 'base64')).toBe(true);
    const [count] = await pipeline.clickhouse.query<{ c: string }>(
      'SELECT count() AS c FROM {db:Identifier}.trace_summaries WHERE trace_id = {t:String}',
      { db: pipeline.database, t: unkeyed.toString('hex') },
    );
    expect(Number(count.c)).toBe(0);
  });

  it.each([
    ['exporter-trace-otlp-proto (gzip)', 'proto'],
    ['exporter-trace-otlp-http (JSON)', 'json'],
  ])(
    'the OTel JS SDK %s → gateway → sessionizer → the expected summary',
    async (_name, exporter) => {
      const traceId = await pipeline.runAgent('apps/gateway/src/testing/otel-genai-agent.ts', {
        OTLP_URL: await pipeline.tracesUrl(),
        OTLP_KEY: KEY,
        OTLP_EXPORTER: exporter,
      });
      const row = await summaryOf(traceId);
      expect(row).toMatchObject({ project_id: 'collector-project', task_type: 'refund' });
      expect(Number(row.span_count)).toBe(3);
      expect(Number(row.input_tokens)).toBe(1200);
      expect(Number(row.cache_read_tokens)).toBe(300);
      expect(Number(row.output_tokens)).toBe(300);
      expect(Number(row.tool_error_count)).toBe(1);
      expect(Number(row.errors_tool_failure)).toBe(1);
      expect(Number(row.completed)).toBe(1);
      expect(Number(row.cost_usd)).toBeCloseTo((1200 * 3 + 300 * 15 + 300 * 0.3) / 1e6, 9);
    },
  );

  it('the relay refuses to start without OTLP_KAFKA_TOPIC and says why', async () => {
    const proc = AppProcess.start('otlp-relay', { OTLP_RELAY_PORT: '0', OTLP_KAFKA_TOPIC: '' });
    expect(await proc.exitCode()).not.toBe(0);
    expect(JSON.stringify(proc.lines) + proc.stderr.join('')).toContain('OTLP_KAFKA_TOPIC');
  });
});

import Redis from 'ioredis';
import { ClickHouseConnection, MigrationRunner } from '@agentmon/clickhouse';
import { ALL_TOPICS, Topics } from '@agentmon/contracts';
import { createKafka, ensureTopics, TopicProducer } from '@agentmon/kafka';
import { AppProcess, LocalInfrastructure, startLocalInfrastructure } from '@agentmon/launcher';
import { encodeExportTraceRequest } from '@agentmon/otlp';
import { makeSpan } from '@agentmon/testing';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchTraces } from './bench-spans';
import { runLoad } from './load-test';
import { median } from './median';
import { heapBytesPerOpenSpan } from './sessionizer-heap';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const SESSIONIZER_TRACES = Number(process.env.BENCH_SESSIONIZER_TRACES ?? 10_000);
const SPANS_PER_REQUEST = 100;

function requestBodies(count: number): string[] {
  return Array.from({ length: count }, () => {
    const traceIds = Array.from({ length: 10 }, () => randomUUID());
    const spans = Array.from({ length: SPANS_PER_REQUEST }, (_, i) =>
      makeSpan({
        trace_id: traceIds[i % traceIds.length],
        attributes: {
          model: 'claude-sonnet-4',
          input_tokens: 1200,
          output_tokens: 300,
          tool_name: 'search',
        },
      }),
    );
    return JSON.stringify({ spans });
  });
}

/**
 * OTLP/HTTP protobuf bodies as an OpenTelemetry SDK batches them: 100 spans of 10 traces, each
 * an invoke_agent root with GenAI chat and execute_tool children (tokens, model, tool name).
 */
function otlpBodies(count: number): Buffer[] {
  const attr = (key: string, value: string | number) => ({
    key,
    value: typeof value === 'number' ? { intValue: value } : { stringValue: value },
  });
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  return Array.from({ length: count }, () => {
    const spans = [];
    for (let t = 0; t < 10; t += 1) {
      const traceId = Buffer.from(randomUUID().replace(/-/g, ''), 'hex');
      const rootId = Buffer.from(randomUUID().replace(/-/g, '').slice(0, 16), 'hex');
      const times = (i: number) => ({
        startTimeUnixNano: (nowNs - 2_000_000_000n + BigInt(i) * 100_000_000n).toString(),
        endTimeUnixNano: (nowNs - 2_000_000_000n + BigInt(i + 1) * 100_000_000n).toString(),
      });
      spans.push({
        traceId,
        spanId: rootId,
        name: 'invoke_agent support',
        ...times(0),
        endTimeUnixNano: nowNs.toString(),
        attributes: [
          attr('gen_ai.operation.name', 'invoke_agent'),
          attr('agentmon.task_type', 'support'),
        ],
      });
      for (let i = 1; i < SPANS_PER_REQUEST / 10; i += 1) {
        const chat = i % 2 === 1;
        spans.push({
          traceId,
          spanId: Buffer.from(randomUUID().replace(/-/g, '').slice(0, 16), 'hex'),
          parentSpanId: rootId,
          name: chat ? 'chat claude-sonnet-4' : 'execute_tool search',
          ...times(i),
          attributes: chat
            ? [
                attr('gen_ai.operation.name', 'chat'),
                attr('gen_ai.request.model', 'claude-sonnet-4'),
                attr('gen_ai.usage.input_tokens', 1200),
                attr('gen_ai.usage.output_tokens', 300),
              ]
            : [attr('gen_ai.operation.name', 'execute_tool'), attr('gen_ai.tool.name', 'search')],
        });
      }
    }
    return Buffer.from(
      encodeExportTraceRequest({
        resourceSpans: [
          {
            resource: { attributes: [attr('service.name', 'bench-agent')] },
            scopeSpans: [{ spans }],
          },
        ],
      }),
    );
  });
}

interface World {
  brokers: string;
  infra: LocalInfrastructure;
  env: Record<string, string>;
  apiKey: string;
  stop(): Promise<void>;
}

/** Broker in its own process (as in production, and away from the load generator's event loop). */
async function startWorld(): Promise<World> {
  const dataDir = mkdtempSync(join(tmpdir(), 'agentmon-bench-'));
  const broker = AppProcess.script(
    'tools/cli/src/main.ts',
    [
      'broker',
      '--port',
      '0',
      '--data-dir',
      join(dataDir, 'kafka'),
      '--partitions',
      '6',
      '--log-level',
      'warn',
    ],
    {},
  );
  const listening = await broker.waitForLine((line) => line.event === 'listening');
  const brokers = `127.0.0.1:${listening.port}`;
  const infra = await startLocalInfrastructure({
    purpose: 'test',
    env: { KAFKA_BROKERS: brokers },
  });
  await ensureTopics(createKafka({ brokers: [brokers], clientId: 'bench' }), ALL_TOPICS, 6);
  const apiKey = `am_${randomUUID()}`;
  const env = {
    ...infra.env,
    LOG_LEVEL: 'info',
    GATEWAY_PORT: '0',
    GATEWAY_API_KEYS: `bench:${createHash('sha256').update(apiKey).digest('hex')}`,
  };
  return {
    brokers,
    infra,
    env,
    apiKey,
    stop: async () => {
      await infra.stop();
      await broker.stop(10000);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function benchGateway(world: World): Promise<{
  gateway: { spansPerS: number; p50: number; p99: number }[];
  otlp: { spansPerS: number; p50: number; p99: number }[];
  ceiling: number[];
}> {
  const gateway = AppProcess.start('gateway', world.env);
  const ceiling = AppProcess.script('tools/bench/bare-fastify-server.ts', [], {});
  const payloads = requestBodies(20);
  const otlpPayloads = otlpBodies(20);
  const headers = { authorization: `Bearer ${world.apiKey}` };
  const otlpRoute = { path: '/v1/traces', contentType: 'application/x-protobuf' };
  const result = {
    gateway: [] as { spansPerS: number; p50: number; p99: number }[],
    otlp: [] as { spansPerS: number; p50: number; p99: number }[],
    ceiling: [] as number[],
  };
  try {
    const [gatewayUrl, ceilingUrl] = [await gateway.url(), await ceiling.url()];
    await runLoad(gatewayUrl, payloads, { connections: CONNECTIONS, durationS: 1, headers }); // warm-up
    await runLoad(gatewayUrl, otlpPayloads, {
      connections: CONNECTIONS,
      durationS: 1,
      headers,
      ...otlpRoute,
    });
    for (let run = 0; run < RUNS; run += 1) {
      const bare = await runLoad(ceilingUrl, payloads, {
        connections: CONNECTIONS,
        durationS: DURATION_S,
      });
      const load = await runLoad(gatewayUrl, payloads, {
        connections: CONNECTIONS,
        durationS: DURATION_S,
        headers,
      });
      if (load.non2xx > 0 || load.errors > 0)
        throw new Error(`gateway answered ${load.non2xx} non-2xx and ${load.errors} errors`);
      const otlp = await runLoad(gatewayUrl, otlpPayloads, {
        connections: CONNECTIONS,
        durationS: DURATION_S,
        headers,
        ...otlpRoute,
      });
      if (otlp.non2xx > 0 || otlp.errors > 0)
        throw new Error(
          `gateway /v1/traces answered ${otlp.non2xx} non-2xx and ${otlp.errors} errors`,
        );
      result.otlp.push({
        spansPerS: otlp.requestsPerSecond * SPANS_PER_REQUEST,
        p50: otlp.p50Ms,
        p99: otlp.p99Ms,
      });
      result.ceiling.push(bare.requestsPerSecond * SPANS_PER_REQUEST);
      result.gateway.push({
        spansPerS: load.requestsPerSecond * SPANS_PER_REQUEST,
        p50: load.p50Ms,
        p99: load.p99Ms,
      });
      console.log(
        `run ${run + 1}: gateway ${Math.round(load.requestsPerSecond * SPANS_PER_REQUEST)} spans/s (p50 ${load.p50Ms} ms, p99 ${load.p99Ms} ms); OTLP protobuf ${Math.round(otlp.requestsPerSecond * SPANS_PER_REQUEST)} spans/s (p50 ${otlp.p50Ms} ms, p99 ${otlp.p99Ms} ms); bare fastify ${Math.round(bare.requestsPerSecond * SPANS_PER_REQUEST)} spans/s`,
      );
    }
  } finally {
    await gateway.stop(10000);
    await ceiling.stop(5000);
  }
  return result;
}

/** Input records the sessionizer consumed (the stage runtime's counter; the pre-runtime name too). */
async function recordsConsumed(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = /^agentmon_stage_records_total\{[^}]*\} (\d+)/m.exec(text);
  return match ? Number(match[1]) : 0;
}

/** One sessionizer process with a fresh consumer group drains the pre-filled spans topic. */
async function sessionizerRun(
  world: World,
  topicRecords: number,
  topicSpans: number,
): Promise<number> {
  const sessionizer = AppProcess.start('sessionizer', {
    ...world.env,
    SESSIONIZER_PORT: '0',
    SESSIONIZER_ROOT_GRACE_MS: '100',
    SESSIONIZER_GROUP_ID: `bench-${randomUUID()}`,
  });
  try {
    const url = await sessionizer.url();
    let firstAt = 0;
    const deadline = Date.now() + 180_000;
    for (;;) {
      const consumed = await recordsConsumed(url);
      if (consumed > 0 && firstAt === 0) firstAt = Date.now();
      if (consumed >= topicRecords) return topicSpans / ((Date.now() - firstAt) / 1000);
      if (Date.now() > deadline)
        throw new Error(`sessionizer consumed ${consumed}/${topicRecords} records in time`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  } finally {
    await sessionizer.stop(15000);
  }
}

async function benchSessionizer(world: World): Promise<number[]> {
  const clickhouse = ClickHouseConnection.create({
    url: world.infra.env.CLICKHOUSE_URL,
    database: 'agentmon',
  });
  await new MigrationRunner(clickhouse, { retentionDays: 30 }).run();
  await clickhouse.close();
  const kafka = createKafka({ brokers: [world.brokers], clientId: 'bench' });
  const admin = kafka.admin();
  await admin.connect();
  const already = (await admin.fetchTopicOffsets(Topics.spans)).reduce(
    (sum, partition) => sum + Number(partition.high),
    0,
  );
  await admin.disconnect();
  const records = benchTraces(SESSIONIZER_TRACES, 10, 'bench-sessionizer');
  const producer = await TopicProducer.connect(kafka);
  for (let i = 0; i < records.length; i += 5000)
    await producer.publish(Topics.spans, records.slice(i, i + 5000));
  await producer.disconnect();
  // The gateway runs left spans on the topic too; they are consumed and counted as well.
  const topicRecords = already + records.length;
  const topicSpans = already + records.filter((record) => record.kind === 'span').length;
  const runs: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    runs.push(await sessionizerRun(world, topicRecords, topicSpans));
    console.log(
      `run ${run + 1}: sessionizer ${Math.round(runs[run])} spans/s over ${topicRecords} records`,
    );
  }
  return runs;
}

/**
 * What the sessionizer keeps in Redis, per remembered trace (its revision basis, for the feedback
 * window) and per known user (session numbers, for the user memory), from MEMORY USAGE of a
 * sample of the keys the runs above wrote.
 */
async function redisFootprint(world: World): Promise<{ perTrace: number; perUser: number }> {
  const redis = new Redis(world.infra.env.REDIS_URL);
  try {
    const average = async (pattern: string) => {
      let cursor = '0';
      const keys: string[] = [];
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        keys.push(...found);
      } while (cursor !== '0' && keys.length < 2000);
      if (keys.length === 0) return 0;
      let total = 0;
      for (const key of keys) total += Number(await redis.call('MEMORY', 'USAGE', key));
      return Math.round(total / keys.length);
    };
    return {
      perTrace: await average('agentmon:basis:*'),
      perUser: await average('agentmon:user-sessions:*'),
    };
  } finally {
    redis.disconnect();
  }
}

async function main(): Promise<void> {
  const world = await startWorld();
  let gateway: Awaited<ReturnType<typeof benchGateway>>;
  let sessionizer: number[];
  let footprint: { perTrace: number; perUser: number };
  try {
    gateway = await benchGateway(world);
    sessionizer = await benchSessionizer(world);
    footprint = await redisFootprint(world);
  } finally {
    await world.stop();
  }
  const heap = [heapBytesPerOpenSpan(), heapBytesPerOpenSpan(), heapBytesPerOpenSpan()];
  const gatewaySpans = median(gateway.gateway.map((r) => r.spansPerS));
  const ceilingSpans = median(gateway.ceiling);
  const figures = {
    gateway_spans_per_s: Math.round(gatewaySpans),
    gateway_p50_ms: median(gateway.gateway.map((r) => r.p50)),
    gateway_p99_ms: median(gateway.gateway.map((r) => r.p99)),
    otlp_spans_per_s: Math.round(median(gateway.otlp.map((r) => r.spansPerS))),
    otlp_p50_ms: median(gateway.otlp.map((r) => r.p50)),
    otlp_p99_ms: median(gateway.otlp.map((r) => r.p99)),
    otlp_to_bare_ratio: Number(
      (median(gateway.otlp.map((r) => r.spansPerS)) / ceilingSpans).toFixed(3),
    ),
    bare_fastify_spans_per_s: Math.round(ceilingSpans),
    gateway_to_bare_ratio: Number((gatewaySpans / ceilingSpans).toFixed(3)),
    sessionizer_spans_per_s: Math.round(median(sessionizer)),
    heap_bytes_per_open_span: Math.round(median(heap)),
    redis_bytes_per_remembered_trace: footprint.perTrace,
    redis_bytes_per_known_user: footprint.perUser,
  };
  console.log(JSON.stringify({ bench: 'ingest', figures }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

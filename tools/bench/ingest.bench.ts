import { ALL_TOPICS } from '@agentmon/contracts';
import { createKafka, ensureTopics } from '@agentmon/kafka';
import { AppProcess, startLocalInfrastructure } from '@agentmon/launcher';
import { makeSpan } from '@agentmon/testing';
import { randomUUID, createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLoad } from './load-test';
import { median } from './median';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const SPANS_PER_REQUEST = 100;

function bodies(count: number): string[] {
  return Array.from({ length: count }, () => {
    const traceIds = Array.from({ length: 10 }, () => randomUUID());
    const spans = Array.from({ length: SPANS_PER_REQUEST }, (_, i) =>
      makeSpan({
        trace_id: traceIds[i % traceIds.length],
        attributes: {
          model: 'claude-sonnet',
          input_tokens: 1200,
          output_tokens: 300,
          tool_name: 'search',
        },
      }),
    );
    return JSON.stringify({ spans });
  });
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'agentmon-bench-'));
  // The broker in its own process, as in production: it must not share an event loop with the load generator.
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
  const apiKey = `am_${randomUUID()}`;
  const env = {
    ...infra.env,
    LOG_LEVEL: 'info',
    GATEWAY_PORT: '0',
    GATEWAY_API_KEYS: `bench:${createHash('sha256').update(apiKey).digest('hex')}`,
  };
  await ensureTopics(createKafka({ brokers: [brokers], clientId: 'bench' }), ALL_TOPICS, 6);
  const gateway = AppProcess.start('gateway', env);
  const ceiling = AppProcess.script('tools/bench/bare-fastify-server.ts', [], {});
  const payloads = bodies(20);
  const gatewayRuns: { spansPerS: number; p50: number; p99: number }[] = [];
  const ceilingRuns: number[] = [];
  try {
    const gatewayUrl = await gateway.url();
    const ceilingUrl = await ceiling.url();
    await runLoad(gatewayUrl, payloads, {
      connections: CONNECTIONS,
      durationS: 1,
      headers: { authorization: `Bearer ${apiKey}` },
    }); // warm-up
    for (let run = 0; run < RUNS; run += 1) {
      const bare = await runLoad(ceilingUrl, payloads, {
        connections: CONNECTIONS,
        durationS: DURATION_S,
      });
      ceilingRuns.push(bare.requestsPerSecond * SPANS_PER_REQUEST);
      const load = await runLoad(gatewayUrl, payloads, {
        connections: CONNECTIONS,
        durationS: DURATION_S,
        headers: { authorization: `Bearer ${apiKey}` },
      });
      if (load.non2xx > 0 || load.errors > 0)
        throw new Error(`gateway answered ${load.non2xx} non-2xx and ${load.errors} errors`);
      gatewayRuns.push({
        spansPerS: load.requestsPerSecond * SPANS_PER_REQUEST,
        p50: load.p50Ms,
        p99: load.p99Ms,
      });
      console.log(
        `run ${run + 1}: gateway ${Math.round(gatewayRuns[run].spansPerS)} spans/s (p50 ${load.p50Ms} ms, p99 ${load.p99Ms} ms), bare fastify ${Math.round(ceilingRuns[run])} spans/s`,
      );
    }
  } finally {
    await gateway.stop(10000);
    await ceiling.stop(5000);
    await infra.stop();
    await broker.stop(10000);
    rmSync(dataDir, { recursive: true, force: true });
  }
  const gatewaySpans = median(gatewayRuns.map((r) => r.spansPerS));
  const ceilingSpans = median(ceilingRuns);
  const figures = {
    gateway_spans_per_s: Math.round(gatewaySpans),
    gateway_p50_ms: median(gatewayRuns.map((r) => r.p50)),
    gateway_p99_ms: median(gatewayRuns.map((r) => r.p99)),
    bare_fastify_spans_per_s: Math.round(ceilingSpans),
    gateway_to_bare_ratio: Number((gatewaySpans / ceilingSpans).toFixed(3)),
  };
  console.log(JSON.stringify({ bench: 'ingest', figures }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

import { Topics } from '@agentmon/contracts';
import { ApiKeyRegistry } from '@agentmon/ingest-auth';
import { AppProcess } from '@agentmon/launcher';
import { readTopicUntil } from '@agentmon/testing';
import Redis from 'ioredis';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PipelineHarness } from './pipeline-harness';

const DOC = join(__dirname, '..', '..', '..', '..', 'docs', 'producing-to-kafka.md');

/** The kcat example of docs/producing-to-kafka.md, exactly as written but for the broker address. */
function kcatExample(): string {
  const section = readFileSync(DOC, 'utf8').split('## With kcat')[1];
  const script = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!script) throw new Error('no kcat example in docs/producing-to-kafka.md');
  return script.replace(/127\.0\.0\.1:9092/g, process.env.KAFKA_BROKERS!.split(',')[0]);
}

/**
 * Runs a command to completion without blocking this process: the test run may host the broker
 * itself, and a synchronous child would keep it from answering the child's requests.
 */
function run(command: string, args: string[], input = ''): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} exited ${code}: ${stderr}`)),
    );
    child.stdin.end(input);
  });
}

function kcat(args: string[], lines: string[]): Promise<void> {
  return run(
    'kcat',
    ['-P', '-b', process.env.KAFKA_BROKERS!.split(',')[0], ...args],
    `${lines.join('\n')}\n`,
  );
}

describe('direct producers on the spans topic (SESSIONIZER_REQUIRE_PRODUCER_KEY=true)', () => {
  const harness = new PipelineHarness();
  const secret = `gateway-secret-${randomUUID()}`;
  let sessionizer: AppProcess;
  let gateway: AppProcess;

  beforeAll(async () => {
    await harness.setUp();
    // Start where a deployed instance with committed offsets would: at the topic's end. Read from
    // the beginning, this group (which requires producer keys) would first dead-letter every
    // unsigned record other suites left on the shared topic.
    const admin = harness.kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(Topics.spans);
    await admin.setOffsets({
      groupId: harness.groupId,
      topic: Topics.spans,
      partitions: ends.map(({ partition, high }) => ({ partition, offset: high })),
    });
    await admin.disconnect();
    // The documented example's ids are fixed and the docs test sends it too: forget what an
    // earlier suite's sessionizer remembered of that trace in the shared Redis.
    const redis = new Redis(process.env.REDIS_URL!);
    await redis.del('agentmon:basis:my-project:trace-kcat-1');
    redis.disconnect();
    const keys = `my-project:${ApiKeyRegistry.digest('am_live_secret')}`;
    sessionizer = harness.startSessionizer({
      SESSIONIZER_REQUIRE_PRODUCER_KEY: 'true',
      INGEST_RECORD_SECRETS: secret,
      GATEWAY_API_KEYS: keys,
    });
    await sessionizer.url();
    gateway = AppProcess.start('gateway', {
      GATEWAY_PORT: '0',
      GATEWAY_API_KEYS: keys,
      INGEST_RECORD_SECRETS: secret,
    });
    await gateway.url();
  });

  afterAll(async () => {
    await Promise.all([sessionizer.stop(15000), gateway.stop(15000)]);
    await harness.tearDown();
  });

  it('stores the trace of the documented kcat example under the project of its API key', async () => {
    await run('bash', ['-c', kcatExample()]);
    const [row] = await harness.waitFor('the kcat trace in ClickHouse', async () => {
      const rows = await harness.clickhouse.query<{
        project_id: string;
        span_count: number;
        completed: number;
        final_output: string;
      }>(
        'SELECT project_id, span_count, completed, final_output FROM {db:Identifier}.trace_summaries FINAL WHERE trace_id = {t:String}',
        { db: harness.database, t: 'trace-kcat-1' },
      );
      return rows.length > 0 ? rows : undefined;
    });
    expect(row).toMatchObject({ project_id: 'my-project', final_output: 'It is sunny' });
    expect(Number(row.span_count)).toBe(1);
    expect(Number(row.completed)).toBe(1);
  });

  it('dead-letters records without a key or keyed by something else, and counts none of them', async () => {
    const now = Date.now();
    const unauthenticated = `trace-noauth-${randomUUID()}`;
    const misKeyed = `trace-miskeyed-${randomUUID()}`;
    const span = (traceId: string) =>
      JSON.stringify({
        kind: 'span',
        project_id: 'someone-else',
        received_at: now,
        span: {
          span_id: `s-${randomUUID()}`,
          trace_id: traceId,
          parent_span_id: null,
          operation: 'llm_call',
          start_time: now - 100,
          end_time: now,
          status: 'OK',
          attributes: {},
          events: [],
        },
      });
    await kcat(['-t', Topics.spans, '-k', unauthenticated], [span(unauthenticated)]);
    await kcat(
      ['-t', Topics.spans, '-k', 'not-the-trace-id', '-H', 'agentmon-api-key=am_live_secret'],
      [span(misKeyed)],
    );
    await kcat(
      ['-t', Topics.spans, '-k', unauthenticated, '-H', 'agentmon-api-key=wrong'],
      [span(unauthenticated)],
    );
    // Dead letters are at least once (a rebalance under load may publish one twice before its
    // offset is committed): count each refused record once, by its bytes.
    const ours = (seen: { value?: { data: string } | null; reason?: string }[]) => [
      ...new Set(
        seen
          .filter(
            (l) => l.value?.data.includes(unauthenticated) || l.value?.data.includes(misKeyed),
          )
          .map(
            (l) =>
              `${l.value!.data.includes(misKeyed) ? 'miskeyed' : 'noauth'}:${l.reason}\u0000${l.value!.data}`,
          ),
      ),
    ];
    const letters = await readTopicUntil(
      harness.kafka,
      Topics.deadLetter,
      (seen) => ours(seen).some((l) => l.startsWith('miskeyed:')) && ours(seen).length >= 3,
    );
    const reasons = ours(letters)
      .map((l) => l.split('\u0000')[0]!)
      .sort();
    expect(reasons).toEqual([
      'miskeyed:wrong_key',
      'noauth:unauthenticated',
      'noauth:unauthenticated',
    ]);
  });

  it("takes the gateway's own (signed) records", async () => {
    const traceId = `trace-gw-${randomUUID()}`;
    const now = new Date().toISOString();
    const response = await fetch(`${await gateway.url()}/v1/spans`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer am_live_secret' },
      body: JSON.stringify({
        spans: [
          {
            span_id: 's1',
            trace_id: traceId,
            operation: 'llm_call',
            status: 'OK',
            start_time: now,
            end_time: now,
            attributes: {},
          },
        ],
      }),
    });
    expect(response.status).toBe(202);
    const end = await fetch(`${await gateway.url()}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer am_live_secret' },
      body: JSON.stringify({
        events: [
          { type: 'trace_end', event_id: 'e1', trace_id: traceId, timestamp: now, completed: true },
        ],
      }),
    });
    expect(end.status).toBe(202);
    const rows = await harness.waitFor('the gateway trace', async () => {
      const found = (await harness.traceRows()).filter((row) => row.trace_id === traceId);
      return found.length > 0 ? found : undefined;
    });
    expect(Number(rows[0].span_count)).toBe(1);
  });
});

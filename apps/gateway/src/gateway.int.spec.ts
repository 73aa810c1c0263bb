import { ApiKeyRegistry } from './auth/api-key-registry';
import { SpansTopicRecord, Topics } from '@agentmon/contracts';
import { createKafka, ensureTopics } from '@agentmon/kafka';
import { makeSpan, makeTraceEndEvent, readTopicUntil } from '@agentmon/testing';
import { randomUUID } from 'node:crypto';
import { AppProcess } from '@agentmon/launcher';

const KEY_A = `am_${randomUUID()}`;
const KEY_B = `am_${randomUUID()}`;

function brokers(): string[] {
  const list = process.env.KAFKA_BROKERS;
  if (!list) throw new Error('KAFKA_BROKERS not set by the integration global setup');
  return list.split(',');
}

/** The records of one trace, read back from the spans topic. */
async function readTrace(traceId: string, expected: number): Promise<SpansTopicRecord[]> {
  const ofTrace = (records: SpansTopicRecord[]) =>
    records.filter((r) => (r.kind === 'span' ? r.span.trace_id : r.event.trace_id) === traceId);
  return ofTrace(
    await readTopicUntil(
      createKafka({ brokers: brokers(), clientId: 'gateway-it' }),
      Topics.spans,
      (seen) => ofTrace(seen).length >= expected,
      20000,
    ),
  );
}

describe('gateway over HTTP into the broker', () => {
  let gateway: AppProcess;
  let url: string;
  const post = (
    path: string,
    body: unknown,
    headers: Record<string, string> = { authorization: `Bearer ${KEY_A}` },
  ) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  beforeAll(async () => {
    await ensureTopics(
      createKafka({ brokers: brokers(), clientId: 'gateway-it' }),
      [Topics.spans],
      3,
    );
    gateway = AppProcess.start('gateway', {
      GATEWAY_PORT: '0',
      GATEWAY_API_KEYS: `proj-a:${ApiKeyRegistry.digest(KEY_A)},proj-b:${ApiKeyRegistry.digest(KEY_B)}`,
      GATEWAY_MAX_BODY_BYTES: '200000',
      GATEWAY_MAX_ITEMS_PER_REQUEST: '50',
    });
    url = await gateway.url();
  });

  afterAll(async () => {
    gateway.kill('SIGTERM');
    expect(await gateway.exitCode()).toBe(0);
  });

  it('acknowledges spans and events only once they are in Kafka, tenant taken from the key', async () => {
    const traceId = `t-${randomUUID()}`;
    const spans = [makeSpan({ trace_id: traceId }), makeSpan({ trace_id: traceId })];
    const spanResponse = await post('/v1/spans', { spans });
    expect(spanResponse.status).toBe(202);
    expect(await spanResponse.json()).toEqual({ accepted: 2 });
    const eventResponse = await post(
      '/v1/events',
      { events: [makeTraceEndEvent({ trace_id: traceId })] },
      { 'x-api-key': KEY_B },
    );
    expect(eventResponse.status).toBe(202);
    const records = await readTrace(traceId, 3);
    expect(records.map((r) => [r.kind, r.project_id]).sort()).toEqual([
      ['event', 'proj-b'],
      ['span', 'proj-a'],
      ['span', 'proj-a'],
    ]);
  });

  it.each([
    ['no key', {}],
    ['a wrong key', { authorization: 'Bearer nope' }],
    ['a malformed header', { authorization: KEY_A }],
  ])('answers 401 to %s on both routes', async (_name, headers) => {
    for (const path of ['/v1/spans', '/v1/events']) {
      const response = await post(path, { spans: [makeSpan()] }, headers as Record<string, string>);
      expect(response.status).toBe(401);
    }
  });

  it('answers 400 listing the index and field path of each bad span', async () => {
    const response = await post('/v1/spans', { spans: [makeSpan(), makeSpan({ end_time: 1 })] });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { issues: unknown[] };
    expect(body.issues).toEqual(
      expect.arrayContaining([expect.objectContaining({ index: 1, path: 'spans[1].end_time' })]),
    );
  });

  it('answers 400 to a bad event naming its field', async () => {
    const response = await post('/v1/events', {
      events: [{ ...makeTraceEndEvent(), type: 'vibes' }],
    });
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain('events[0]');
  });

  it('answers 400 to a body that is not JSON', async () => {
    expect((await post('/v1/spans', '{"spans": [')).status).toBe(400);
  });

  it('answers 413 past the item cap and past the body size cap', async () => {
    const many = Array.from({ length: 51 }, () => makeSpan());
    expect((await post('/v1/spans', { spans: many })).status).toBe(413);
    const huge = { spans: [makeSpan({ name: 'x'.repeat(250000) })] };
    expect((await post('/v1/spans', huge)).status).toBe(413);
  });

  it('serves readiness (Kafka reachable) and Prometheus counters', async () => {
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(
      /agentmon_gateway_records_accepted_total\{kind="span",app="gateway"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /agentmon_gateway_requests_total\{route="\/v1\/spans",status="401",app="gateway"\} [1-9]/,
    );
  });

  it('never logs an API key', () => {
    const all = JSON.stringify(gateway.lines) + gateway.stderr.join('');
    expect(all).not.toContain(KEY_A);
    expect(all).not.toContain(KEY_B);
  });
});

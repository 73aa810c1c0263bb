import { SpansTopicRecord, Topics } from '@agentmon/contracts';
import { createKafka, ensureTopics } from '@agentmon/kafka';
import { AppProcess } from '@agentmon/launcher';
import { makeSpan, readTopicUntil } from '@agentmon/testing';
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { deflateSync, gzipSync } from 'node:zlib';
import { ApiKeyRegistry } from './auth/api-key-registry';

const KEY = `am_${randomUUID()}`;
const MAX_BODY = 200_000;

function brokers(): string[] {
  const list = process.env.KAFKA_BROKERS;
  if (!list) throw new Error('KAFKA_BROKERS not set by the integration global setup');
  return list.split(',');
}

/**
 * Sends headers announcing `announced` bytes but only the first `sent` of them, and resolves with
 * the status as soon as the server answers: proof that it answered without reading the body.
 */
function answerToPartialBody(
  url: string,
  headers: Record<string, string>,
  announced: number,
  sent: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const target = new URL('/v1/spans', url);
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': announced, ...headers },
      },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
        req.destroy();
      },
    );
    req.on('error', (error) => reject(error));
    req.write(Buffer.alloc(sent, 0x20));
    // Never ends the body.
  });
}

describe('gateway edge: key before body, Content-Encoding, decompressed size cap', () => {
  let gateway: AppProcess;
  let url: string;
  const post = (body: Buffer | string, headers: Record<string, string>) =>
    fetch(`${url}/v1/spans`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  const auth = { authorization: `Bearer ${KEY}` };

  beforeAll(async () => {
    await ensureTopics(createKafka({ brokers: brokers(), clientId: 'gw-edge' }), [Topics.spans], 3);
    gateway = AppProcess.start('gateway', {
      GATEWAY_PORT: '0',
      GATEWAY_API_KEYS: `proj-edge:${ApiKeyRegistry.digest(KEY)}`,
      GATEWAY_MAX_BODY_BYTES: String(MAX_BODY),
    });
    url = await gateway.url();
  });

  afterAll(async () => {
    gateway.kill('SIGTERM');
    expect(await gateway.exitCode()).toBe(0);
  });

  it('answers 401 from the headers while the body is still being sent', async () => {
    expect(await answerToPartialBody(url, {}, 5 * 1048576, 1024)).toBe(401);
    expect(
      await answerToPartialBody(url, { authorization: 'Bearer wrong' }, 5 * 1048576, 1024),
    ).toBe(401);
  });

  // Each client sends 64 KB of a 5 MB body and waits: only a gateway that answers from the
  // headers, without reading the body, can answer them at all.
  it('answers forty 5 MB bodies without a key from their headers, and stays healthy', async () => {
    const probes = Array.from({ length: 40 }, () =>
      answerToPartialBody(url, {}, 5 * 1048576, 64 * 1024),
    );
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await Promise.all(probes)).toEqual(Array(40).fill(401));
  });

  it('answers 401, not 400, to a gzip body without a key', async () => {
    const body = gzipSync(JSON.stringify({ spans: [makeSpan()] }));
    expect((await post(body, { 'content-encoding': 'gzip' })).status).toBe(401);
  });

  it.each([
    ['gzip', gzipSync],
    ['x-gzip', gzipSync],
    ['deflate', deflateSync],
  ])('takes a %s body and produces its spans', async (encoding, compress) => {
    const traceId = `t-${randomUUID()}`;
    const body = compress(JSON.stringify({ spans: [makeSpan({ trace_id: traceId })] }));
    const response = await post(body, { ...auth, 'content-encoding': encoding });
    expect(response.status).toBe(202);
    const records = await readTopicUntil(
      createKafka({ brokers: brokers(), clientId: 'gw-edge' }),
      Topics.spans,
      (seen) => seen.some((r) => r.kind === 'span' && r.span.trace_id === traceId),
      20000,
    );
    const mine = records.filter(
      (r): r is Extract<SpansTopicRecord, { kind: 'span' }> =>
        r.kind === 'span' && r.span.trace_id === traceId,
    );
    expect(mine.map((r) => r.project_id)).toEqual(['proj-edge']);
  });

  it.each(['br', 'compress', 'gzip, br', 'zstd'])(
    'answers 415 to Content-Encoding %s',
    async (encoding) => {
      const response = await post(JSON.stringify({ spans: [makeSpan()] }), {
        ...auth,
        'content-encoding': encoding,
      });
      expect(response.status).toBe(415);
      expect(await response.json()).toMatchObject({ error: 'unsupported_content_encoding' });
    },
  );

  it('answers 413 to a gzip bomb (tiny on the wire, huge inflated) and stays healthy', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1048576, 0x20));
    expect(bomb.length).toBeLessThan(MAX_BODY);
    const before = await rssOf(url);
    const response = await post(bomb, { ...auth, 'content-encoding': 'gzip' });
    expect(response.status).toBe(413);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    // Nothing near the 64 MB the bomb inflates to was held.
    expect((await rssOf(url)) - before).toBeLessThan(32 * 1048576);
  });

  it('answers 413 to a compressed body whose inflated size is just over the cap', async () => {
    const json = JSON.stringify({ spans: [makeSpan({ name: 'x'.repeat(250) })] });
    const padded = json + ' '.repeat(MAX_BODY + 1 - json.length);
    const response = await post(gzipSync(padded), { ...auth, 'content-encoding': 'gzip' });
    expect(response.status).toBe(413);
  });

  it('answers 400 naming the encoding to a body that is not valid gzip', async () => {
    const response = await post(Buffer.from('definitely not gzip'), {
      ...auth,
      'content-encoding': 'gzip',
    });
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain('gzip');
  });
});

/** Resident set size of the gateway, from its Prometheus endpoint. */
async function rssOf(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = /^process_resident_memory_bytes(?:\{[^}]*\})? (\d+(?:\.\d+)?(?:e\+\d+)?)/m.exec(
    text,
  );
  if (!match) throw new Error('no process_resident_memory_bytes in /metrics');
  return Number(match[1]);
}

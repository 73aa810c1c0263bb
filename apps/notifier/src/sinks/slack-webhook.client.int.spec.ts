import type { SlackMessage } from '@agentmon/notifier-domain';
import { RetryPolicy } from '@agentmon/stream-runtime';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type SlackDeliveryAttempt,
  SlackWebhookClient,
  parseRetryAfter,
} from './slack-webhook.client';

const SECRET_PATH = '/services/T000SECRET/B000SECRET/XXXXSECRETXXXX';

type Reply = (req: IncomingMessage, res: ServerResponse) => void;
const status =
  (code: number, body = 'ok', headers: Record<string, string> = {}): Reply =>
  (_req, res) => {
    res.writeHead(code, { 'content-type': 'text/plain', ...headers });
    res.end(body);
  };
const hang: Reply = () => undefined;

/** A local stand-in for Slack: answers each POST with the next scripted reply. */
class FakeSlack {
  readonly received: {
    at: number;
    path: string;
    contentType: string | undefined;
    body: unknown;
  }[] = [];
  replies: Reply[] = [];
  private server!: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.received.push({
          at: Date.now(),
          path: req.url ?? '',
          contentType: req.headers['content-type'],
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        });
        (this.replies.shift() ?? status(200))(req, res);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${SECRET_PATH}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const message: SlackMessage = {
  channel: '#agent-alerts',
  text: '[project-1] completion_rate critical overall',
  blocks: [{ type: 'header', text: { type: 'plain_text', text: 'CRITICAL', emoji: true } }],
  unfurl_links: false,
  unfurl_media: false,
};

describe('SlackWebhookClient against a local Slack stand-in', () => {
  let slack: FakeSlack;
  let url: string;
  let attempts: SlackDeliveryAttempt[];
  let logs: string[];

  const client = (overrides: Partial<ConstructorParameters<typeof SlackWebhookClient>[0]> = {}) =>
    new SlackWebhookClient({
      webhookUrl: url,
      retryPolicy: new RetryPolicy({ initialDelayMs: 20, maxDelayMs: 50, maxAttempts: 4 }),
      timeoutMs: 300,
      onAttempt: (a) => void attempts.push(a),
      logger: {
        info: (fields, msg) => void logs.push(JSON.stringify({ msg, ...fields })),
        warn: (fields, msg) => void logs.push(JSON.stringify({ msg, ...fields })),
      },
      ...overrides,
    });

  beforeEach(async () => {
    slack = new FakeSlack();
    url = await slack.start();
    attempts = [];
    logs = [];
  });
  afterEach(async () => {
    // The secret never leaks: not in logs, attempt records or anything the client serialises.
    const everything = JSON.stringify({ logs, attempts }) + JSON.stringify(client());
    expect(everything).not.toContain('SECRET');
    await slack.stop();
  });

  it('posts the Block Kit payload as JSON and reports one ok attempt', async () => {
    const result = await client().deliver(message, 'ntf-1');
    expect(result).toEqual({ delivered: 'slack', attempts: 1 });
    expect(slack.received).toHaveLength(1);
    expect(slack.received[0]).toMatchObject({ path: SECRET_PATH, body: message });
    expect(slack.received[0].contentType).toMatch(/^application\/json/);
    expect(attempts).toEqual([
      expect.objectContaining({
        delivery_id: 'ntf-1',
        attempt: 1,
        status: 200,
        outcome: 'ok',
        error: null,
      }),
    ]);
  });

  it('429 with Retry-After: waits at least that long, then delivers', async () => {
    slack.replies = [status(429, 'rate_limited', { 'retry-after': '1' })];
    const result = await client().deliver(message, 'ntf-2');
    expect(result).toEqual({ delivered: 'slack', attempts: 2 });
    expect(slack.received[1].at - slack.received[0].at).toBeGreaterThanOrEqual(950);
    expect(slack.received.map((r) => r.body)).toEqual([message, message]);
    expect(attempts.map((a) => [a.status, a.outcome, a.retry_after_ms])).toEqual([
      [429, 'retryable', 1000],
      [200, 'ok', null],
    ]);
  });

  it('a Retry-After longer than we block for stops at once and says when to try again', async () => {
    slack.replies = [status(429, 'rate_limited', { 'retry-after': '120' })];
    const result = await client({ maxRetryAfterMs: 30_000 }).deliver(message, 'ntf-3');
    expect(result).toMatchObject({
      delivered: 'failed',
      permanent: false,
      attempts: 1,
      retry_after_ms: 120_000,
    });
    expect(slack.received).toHaveLength(1);
  });

  it('500s then success: retried with backoff', async () => {
    slack.replies = [status(500, 'rollup_error'), status(503, 'unavailable')];
    const result = await client().deliver(message, 'ntf-4');
    expect(result).toEqual({ delivered: 'slack', attempts: 3 });
    expect(attempts.map((a) => [a.status, a.outcome])).toEqual([
      [500, 'retryable'],
      [503, 'retryable'],
      [200, 'ok'],
    ]);
    expect(attempts[0].error).toBe('slack webhook answered 500: rollup_error');
  });

  it('500s beyond the attempt cap: failed, retryable (the app parks it)', async () => {
    slack.replies = Array.from({ length: 5 }, () => status(500, 'rollup_error'));
    const result = await client().deliver(message, 'ntf-5');
    expect(result).toEqual({
      delivered: 'failed',
      permanent: false,
      attempts: 4,
      error: 'slack webhook answered 500: rollup_error',
      retry_after_ms: null,
      status: 500,
    });
    expect(slack.received).toHaveLength(4);
  });

  it('a timeout is retried; the next attempt delivers', async () => {
    slack.replies = [hang];
    const started = Date.now();
    const result = await client().deliver(message, 'ntf-6');
    expect(result).toEqual({ delivered: 'slack', attempts: 2 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(attempts[0]).toMatchObject({
      status: null,
      outcome: 'retryable',
      error: 'timeout after 300 ms',
    });
    expect(attempts[0].latency_ms).toBeGreaterThanOrEqual(290);
  });

  it('a permanent 400 is not retried', async () => {
    slack.replies = [status(400, 'invalid_payload')];
    const result = await client().deliver(message, 'ntf-7');
    expect(result).toEqual({
      delivered: 'failed',
      permanent: true,
      attempts: 1,
      error: 'slack webhook answered 400: invalid_payload',
      retry_after_ms: null,
      status: 400,
    });
    expect(slack.received).toHaveLength(1);
    expect(attempts.map((a) => [a.status, a.outcome])).toEqual([[400, 'permanent']]);
  });

  it('connection refused is retryable and names no URL', async () => {
    await slack.stop();
    const down = new FakeSlack();
    const downUrl = await down.start();
    await down.stop();
    const result = await client({ webhookUrl: downUrl }).deliver(message, 'ntf-8');
    expect(result).toMatchObject({
      delivered: 'failed',
      permanent: false,
      attempts: 4,
      error: 'connection error (ECONNREFUSED)',
    });
    slack = new FakeSlack();
    url = await slack.start();
  });

  it('without a webhook URL: logs the message, delivered: log', async () => {
    const result = await client({ webhookUrl: undefined }).deliver(message, 'ntf-9');
    expect(result).toEqual({ delivered: 'log', attempts: 0 });
    expect(slack.received).toHaveLength(0);
    expect(attempts).toEqual([
      expect.objectContaining({ outcome: 'logged', status: null, attempt: 0 }),
    ]);
    expect(logs[0]).toContain('completion_rate critical overall');
  });

  it('parses Retry-After seconds and HTTP dates', () => {
    const now = Date.parse('2025-01-01T10:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 10:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});

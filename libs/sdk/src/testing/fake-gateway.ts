import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  formatZodIssues,
  IngestBatchSchema,
  type SpanIngest,
  type TraceEventIngest,
} from '@agentmon/contracts';

/** A scripted answer; `hang` never answers, `destroy` drops the connection. */
export type ScriptedAnswer =
  { status: number; retryAfter?: string; body?: unknown } | 'hang' | 'destroy';

export interface RecordedRequest {
  path: string;
  authorization?: string;
  body: { spans?: SpanIngest[]; events?: TraceEventIngest[] };
  at: number;
}

/**
 * Behaves like the AgentMon gateway for SDK tests, on 127.0.0.1 only: Bearer auth, the real
 * IngestBatchSchema (400 with indexed issues), one route per kind, 202 {accepted}. Answers
 * queued with `script` are used first, in order.
 */
export class FakeGateway {
  readonly requests: RecordedRequest[] = [];
  private readonly scripted: ScriptedAnswer[] = [];
  private readonly hanging: ServerResponse[] = [];
  private server?: Server;
  url = '';

  constructor(private readonly apiKey = 'test-key') {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  script(...answers: ScriptedAnswer[]): void {
    this.scripted.push(...answers);
  }

  /** Items the gateway accepted (202), in arrival order. */
  acceptedSpans(): SpanIngest[] {
    return this.accepted().flatMap((r) => r.body.spans ?? []);
  }

  acceptedEvents(): TraceEventIngest[] {
    return this.accepted().flatMap((r) => r.body.events ?? []);
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private readonly acceptedRequests = new Set<RecordedRequest>();

  private accepted(): RecordedRequest[] {
    return this.requests.filter((r) => this.acceptedRequests.has(r));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: RecordedRequest['body'];
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return this.answer(res, 400, { error: 'invalid_json', issues: [] });
    }
    const request: RecordedRequest = {
      path: req.url ?? '',
      authorization: req.headers.authorization,
      body,
      at: Date.now(),
    };
    this.requests.push(request);
    const next = this.scripted.shift();
    if (next === 'hang') return void this.hanging.push(res);
    if (next === 'destroy') return void req.socket.destroy();
    if (next) {
      if (next.retryAfter !== undefined) res.setHeader('Retry-After', next.retryAfter);
      return this.answer(res, next.status, next.body ?? { error: `scripted ${next.status}` });
    }
    if (request.authorization !== `Bearer ${this.apiKey}`) {
      return this.answer(res, 401, { error: 'unauthorized' });
    }
    const route =
      request.path === '/v1/spans' ? 'spans' : request.path === '/v1/events' ? 'events' : undefined;
    if (!route) return this.answer(res, 404, { error: 'not_found' });
    const other = route === 'spans' ? 'events' : 'spans';
    if ((body[other] ?? []).length > 0) {
      return this.answer(res, 400, {
        error: 'invalid_batch',
        issues: [{ path: other, message: 'wrong route' }],
      });
    }
    const parsed = IngestBatchSchema.safeParse(body);
    if (!parsed.success) {
      const issues = formatZodIssues(parsed.error).map((issue) => {
        const index = /^(?:spans|events)\[(\d+)\]/.exec(issue.path);
        return index ? { index: Number(index[1]), ...issue } : issue;
      });
      return this.answer(res, 400, { error: 'invalid_batch', issues });
    }
    this.acceptedRequests.add(request);
    this.answer(res, 202, { accepted: parsed.data.spans.length + parsed.data.events.length });
  }

  private answer(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }
}

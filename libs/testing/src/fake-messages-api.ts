import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeMessagesAnswer {
  status: number;
  body: unknown;
}

/** Answers POST /v1/messages like the Anthropic Messages API, on 127.0.0.1, from a script. */
export class FakeMessagesApi {
  readonly requests: { path: string; body: Record<string, unknown> }[] = [];
  private readonly answers: FakeMessagesAnswer[] = [];
  private server?: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      this.requests.push({
        path: req.url ?? '',
        body: JSON.parse(Buffer.concat(chunks).toString() || '{}'),
      });
      const answer = this.answers.shift() ?? {
        status: 500,
        body: { type: 'error', error: { type: 'api_error', message: 'no scripted answer' } },
      };
      res
        .writeHead(answer.status, { 'content-type': 'application/json' })
        .end(JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  reply(...answers: FakeMessagesAnswer[]): void {
    this.answers.push(...answers);
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** A Messages API reply body. */
export function messageBody(
  content: unknown[],
  overrides: Partial<{ model: string; stop_reason: string; usage: Record<string, number> }> = {},
): unknown {
  return {
    id: 'msg_01',
    type: 'message',
    role: 'assistant',
    model: overrides.model ?? 'claude-sonnet-4-6',
    content,
    stop_reason: overrides.stop_reason ?? 'end_turn',
    stop_sequence: null,
    usage: overrides.usage ?? {
      input_tokens: 120,
      output_tokens: 45,
      cache_read_input_tokens: 30,
      cache_creation_input_tokens: 10,
    },
  };
}

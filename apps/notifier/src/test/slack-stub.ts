import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The webhook path carries the secret; tests check it never shows up in a log line. */
export const SECRET_PATH = '/services/T0STUB/B0STUB/stubSECRETwebhookTOKEN';

export interface ReceivedPost {
  at: number;
  body: {
    channel: string;
    text: string;
    blocks: {
      type: string;
      text?: { text: string };
      fields?: { text: string }[];
      elements?: { text: string }[];
    }[];
  };
  raw: string;
  /** What the stub answered (null: no answer, e.g. a hang). */
  status: number | null;
}

export type Reply = (res: ServerResponse, post: ReceivedPost) => void;

export const ok: Reply = (res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('ok');
};
export const status =
  (code: number, body = 'error', headers: Record<string, string> = {}): Reply =>
  (res) => {
    res.writeHead(code, { 'content-type': 'text/plain', ...headers });
    res.end(body);
  };
/** Never answers (the client times out). */
export const hang: Reply = () => undefined;

/**
 * A local stand-in for Slack's incoming webhook on 127.0.0.1: records every POST (the Block Kit
 * payload as sent) and answers with `reply(post)`, 200 by default.
 */
export class SlackStub {
  readonly posts: ReceivedPost[] = [];
  reply: (post: ReceivedPost) => Reply = () => ok;
  private server?: Server;
  private readonly waiters: (() => void)[] = [];

  async start(): Promise<string> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const post: ReceivedPost = { at: Date.now(), body: JSON.parse(raw), raw, status: null };
        this.posts.push(post);
        this.reply(post)(res, post);
        post.status = res.headersSent ? res.statusCode : null;
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${SECRET_PATH}`;
  }

  /** POSTs answered 200 that mention the project. */
  deliveredFor(projectId: string): ReceivedPost[] {
    return this.postsFor(projectId).filter((p) => p.status === 200);
  }

  /** POSTs whose payload mentions the project (tests share the alerts topic). */
  postsFor(projectId: string): ReceivedPost[] {
    return this.posts.filter((p) => p.raw.includes(projectId));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackPost {
  at: number;
  payload: { channel?: string; text?: string; blocks?: SlackBlockLike[] };
  raw: string;
}

interface SlackBlockLike {
  type: string;
  text?: { text: string };
  fields?: { text: string }[];
  elements?: { text: string }[];
}

/** A Block Kit message as a terminal shows it: one line per block, fields joined. */
export function renderSlackMessage(payload: SlackPost['payload']): string {
  const lines: string[] = [];
  if (payload.channel) lines.push(`(${payload.channel})`);
  for (const block of payload.blocks ?? []) {
    if (block.type === 'divider') lines.push('────────');
    if (block.text?.text)
      lines.push(block.type === 'header' ? `# ${block.text.text}` : block.text.text);
    if (block.fields?.length) lines.push(block.fields.map((f) => f.text).join('   '));
    if (block.elements?.length) lines.push(block.elements.map((e) => e.text).join('  '));
  }
  if (lines.length === 0 && payload.text) lines.push(payload.text);
  return lines.join('\n');
}

/**
 * The local stand-in for a Slack incoming webhook `agentmon start` runs when SLACK_WEBHOOK_URL
 * is unset: listens on 127.0.0.1, answers 200 like Slack, keeps the posts (bounded) and hands
 * each to `onPost` (which prints it).
 */
export class SlackStandIn {
  readonly posts: SlackPost[] = [];
  private server?: Server;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly onPost: (post: SlackPost) => void = () => undefined,
    private readonly maxKept = 1000,
  ) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= 1_000_000) chunks.push(chunk);
      });
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let payload: SlackPost['payload'];
        try {
          payload = JSON.parse(raw) as SlackPost['payload'];
        } catch {
          res.writeHead(400, { 'content-type': 'text/plain' }).end('invalid_payload');
          return;
        }
        const post = { at: Date.now(), payload, raw };
        this.posts.push(post);
        if (this.posts.length > this.maxKept) this.posts.shift();
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        try {
          this.onPost(post);
        } finally {
          for (const wake of this.waiters) wake();
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/services/local/stand-in`;
  }

  /** The first post (already received or coming) that `match` accepts, or undefined at timeout. */
  async waitFor(
    match: (post: SlackPost) => boolean,
    timeoutMs: number,
  ): Promise<SlackPost | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.posts.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

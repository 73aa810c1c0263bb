import * as net from 'node:net';
import { KafkaReader } from '../protocol/kafka-reader';
import { KafkaWriter } from '../protocol/kafka-writer';

/** Minimal request/response client over a raw socket, for protocol-level and abuse tests. */
export class RawKafkaClient {
  private buf = Buffer.alloc(0);
  private waiting: ((frame: Buffer) => void)[] = [];
  private frames: Buffer[] = [];
  closed = false;
  private closeWaiters: (() => void)[] = [];

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      while (this.buf.length >= 4 && this.buf.length >= 4 + this.buf.readInt32BE(0)) {
        const size = this.buf.readInt32BE(0);
        const frame = this.buf.subarray(4, 4 + size);
        this.buf = this.buf.subarray(4 + size);
        const w = this.waiting.shift();
        if (w) w(frame);
        else this.frames.push(frame);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      for (const c of this.closeWaiters) c();
    });
  }

  static connect(port: number): Promise<RawKafkaClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => resolve(new RawKafkaClient(s)));
      s.once('error', reject);
    });
  }

  static request(
    apiKey: number,
    apiVersion: number,
    correlationId: number,
    body: (w: KafkaWriter) => void,
    clientId = 'raw',
  ): Buffer {
    const w = new KafkaWriter()
      .int16(apiKey)
      .int16(apiVersion)
      .int32(correlationId)
      .nullableString(clientId);
    body(w);
    const payload = w.toBuffer();
    const head = Buffer.alloc(4);
    head.writeInt32BE(payload.length);
    return Buffer.concat([head, payload]);
  }

  write(b: Buffer): void {
    this.socket.write(b);
  }

  /** Next response frame; its reader is positioned after the correlation id. */
  next(timeoutMs = 5000): Promise<{ correlationId: number; r: KafkaReader }> {
    return new Promise((resolve, reject) => {
      const take = (f: Buffer): void => {
        clearTimeout(t);
        const r = new KafkaReader(f);
        resolve({ correlationId: r.int32(), r });
      };
      const t = setTimeout(() => {
        this.waiting = this.waiting.filter((w) => w !== take);
        reject(new Error('timed out waiting for a response'));
      }, timeoutMs);
      const f = this.frames.shift();
      if (f) take(f);
      else this.waiting.push(take);
    });
  }

  waitClosed(timeoutMs = 5000): Promise<boolean> {
    if (this.closed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.closeWaiters.push(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

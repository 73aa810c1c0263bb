import type { TopicName } from '@agentmon/contracts';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type {
  ProduceWorkerData,
  ProduceWorkerReply,
  ProduceWorkerRequest,
  RawMessage,
} from './produce-worker';

/**
 * A producer whose kafkajs instance lives in a worker thread, so encoding records for Kafka does
 * not compete with HTTP parsing and validation on the main event loop. Same acks=all contract as
 * TopicProducer.publishRaw: the promise resolves once Kafka acknowledged.
 */
export class ThreadedProducer {
  private readonly worker: Worker;
  private readonly pending = new Map<
    number,
    { resolve: () => void; reject: (error: Error) => void }
  >();
  private nextId = 0;
  private closed?: Promise<void>;

  constructor(options: ProduceWorkerData) {
    this.worker = new Worker(join(__dirname, 'produce-worker.ts'), { workerData: options });
    this.worker.on('message', (reply: ProduceWorkerReply) => this.settle(reply));
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', () => this.failAll(new Error('produce worker exited')));
  }

  publishRaw(topic: TopicName, messages: RawMessage[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    if (this.closed) return Promise.reject(new Error('producer is closed'));
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ kind: 'send', id, topic, messages } satisfies ProduceWorkerRequest);
    });
  }

  /** Waits for the worker's producer to disconnect, then ends the thread. */
  disconnect(): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 10000);
      this.worker.on('message', (reply: ProduceWorkerReply) => {
        if (reply.kind === 'closed') {
          clearTimeout(timer);
          resolve();
        }
      });
      this.worker.postMessage({ kind: 'close' } satisfies ProduceWorkerRequest);
    }).then(() => this.worker.terminate().then(() => undefined));
    return this.closed;
  }

  private settle(reply: ProduceWorkerReply): void {
    if (reply.kind === 'closed') return;
    const waiter = this.pending.get(reply.id);
    if (!waiter) return;
    this.pending.delete(reply.id);
    if (reply.kind === 'sent') waiter.resolve();
    else waiter.reject(new Error(reply.error));
  }

  private failAll(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}

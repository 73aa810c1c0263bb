// Runs inside a worker thread: kafkajs's record encoding (varints, CRC, partitioning) costs about
// as much CPU as the whole HTTP + validation path, so it gets a thread of its own.
import { KAFKAJS_RETRY } from './create-kafka';
import { Kafka, logLevel, Producer } from 'kafkajs';
import { Murmur2Partitioner } from './murmur2-partitioner';
import { parentPort, workerData } from 'node:worker_threads';

export interface ProduceWorkerData {
  brokers: string[];
  clientId: string;
}

/** A record as produced: already keyed and encoded, with optional headers (for example a signature). */
export interface RawMessage {
  key: string | null;
  value: string;
  headers?: Record<string, string>;
}

export type ProduceWorkerRequest =
  { kind: 'send'; id: number; topic: string; messages: RawMessage[] } | { kind: 'close' };

export type ProduceWorkerReply =
  { kind: 'sent'; id: number } | { kind: 'failed'; id: number; error: string } | { kind: 'closed' };

function main(): void {
  const port = parentPort;
  if (!port) throw new Error('produce-worker must run in a worker thread');
  const data = workerData as ProduceWorkerData;
  const kafka = new Kafka({
    clientId: data.clientId,
    brokers: data.brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    retry: KAFKAJS_RETRY,
  });
  const producer: Producer = kafka.producer({
    allowAutoTopicCreation: false,
    createPartitioner: Murmur2Partitioner,
  });
  let connecting: Promise<void> | undefined;
  const connected = () =>
    (connecting ??= producer.connect().catch((error: unknown) => {
      connecting = undefined;
      throw error;
    }));
  port.on('message', (request: ProduceWorkerRequest) => {
    if (request.kind === 'close') {
      void producer
        .disconnect()
        .finally(() => port.postMessage({ kind: 'closed' } satisfies ProduceWorkerReply));
      return;
    }
    connected()
      .then(() => producer.send({ topic: request.topic, acks: -1, messages: request.messages }))
      .then(
        () => port.postMessage({ kind: 'sent', id: request.id } satisfies ProduceWorkerReply),
        (error: unknown) =>
          port.postMessage({
            kind: 'failed',
            id: request.id,
            error: error instanceof Error ? error.message : String(error),
          } satisfies ProduceWorkerReply),
      );
  });
}

main();

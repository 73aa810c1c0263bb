import { GatewayOverloadedError, KeyedMessage, ProduceCoalescer } from './produce-coalescer';

const msgs = (...keys: string[]): KeyedMessage[] => keys.map((key) => ({ key, value: key }));

function recorder(behaviour: (messages: KeyedMessage[]) => Promise<void> = async () => undefined) {
  const sends: string[][] = [];
  return {
    sends,
    send: (messages: KeyedMessage[]) => {
      sends.push(messages.map((m) => m.key));
      return behaviour(messages);
    },
  };
}

const base = { lingerMs: 5, maxBatchMessages: 100, maxPendingMessages: 1000, timeoutMs: 1000 };

describe('ProduceCoalescer', () => {
  it('combines concurrent requests into one produce and acknowledges each', async () => {
    const sink = recorder();
    const coalescer = new ProduceCoalescer({ ...base, send: sink.send });
    await Promise.all([coalescer.submit(msgs('a', 'b')), coalescer.submit(msgs('c'))]);
    expect(sink.sends).toEqual([['a', 'b', 'c']]);
    expect(coalescer.pendingMessages).toBe(0);
  });

  it('sends at once when the batch is full', async () => {
    const sink = recorder();
    const coalescer = new ProduceCoalescer({
      ...base,
      lingerMs: 60000,
      maxBatchMessages: 2,
      send: sink.send,
    });
    await coalescer.submit(msgs('a', 'b'));
    expect(sink.sends).toEqual([['a', 'b']]);
  });

  it('fails every request of a failed produce (the client retries; nothing is acknowledged)', async () => {
    const sink = recorder(async () => {
      throw new Error('broker down');
    });
    const coalescer = new ProduceCoalescer({ ...base, send: sink.send });
    const results = await Promise.allSettled([
      coalescer.submit(msgs('a')),
      coalescer.submit(msgs('b')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it('times a request out when Kafka is slow', async () => {
    const sink = recorder(() => new Promise<void>((resolve) => setTimeout(resolve, 200)));
    const coalescer = new ProduceCoalescer({ ...base, timeoutMs: 20, send: sink.send });
    await expect(coalescer.submit(msgs('a'))).rejects.toBeInstanceOf(GatewayOverloadedError);
    await coalescer.drain();
  });

  it('refuses new work past the pending bound instead of buffering it', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const sink = recorder(() => gate);
    const coalescer = new ProduceCoalescer({
      ...base,
      lingerMs: 0,
      maxPendingMessages: 3,
      send: sink.send,
    });
    const first = coalescer.submit(msgs('a', 'b', 'c'));
    await expect(coalescer.submit(msgs('d'))).rejects.toThrow(/already waiting/);
    await new Promise((resolve) => setTimeout(resolve, 5));
    release();
    await first;
    await expect(coalescer.submit(msgs('e'))).resolves.toBeUndefined();
  });

  it('drains what is in flight', async () => {
    const sink = recorder(() => new Promise<void>((resolve) => setTimeout(resolve, 20)));
    const coalescer = new ProduceCoalescer({ ...base, lingerMs: 60000, send: sink.send });
    const pending = coalescer.submit(msgs('a'));
    await coalescer.drain();
    await expect(pending).resolves.toBeUndefined();
    expect(sink.sends).toEqual([['a']]);
  });
});

import type { ExportErrorEvent } from './export/export-stats';
import { AgentMonClient, type AgentMonClientOptions } from './agentmon-client';
import { FakeGateway } from './testing/fake-gateway';

// Local 127.0.0.1 servers only; every wait is bounded by small intervals and backoffs.
describe('AgentMonClient against a fake gateway', () => {
  let gateway: FakeGateway;
  const clients: AgentMonClient[] = [];

  beforeEach(async () => {
    gateway = await new FakeGateway('test-key').start();
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.shutdown()));
    await gateway.close();
  });

  function client(options: Partial<AgentMonClientOptions> = {}): AgentMonClient {
    const created = new AgentMonClient({
      endpoint: gateway.url,
      apiKey: 'test-key',
      flushIntervalMs: 60_000,
      initialBackoffMs: 5,
      maxBackoffMs: 20,
      shutdownTimeoutMs: 2_000,
      ...options,
    });
    clients.push(created);
    return created;
  }

  it('sends a whole trace: spans to /v1/spans, events to /v1/events, with the API key', async () => {
    const agentmon = client();
    const trace = agentmon.startTrace({
      sessionId: 's1',
      userId: 'u1',
      taskType: 'qa',
      platform: 'cli',
    });
    const step = trace.startSpan({ operation: 'agent_step', name: 'answer' });
    trace.startSpan({ operation: 'retrieval', name: 'lookup', parent: step }).end();
    step.end();
    trace.end({ completed: true, finalOutput: 'done' });
    agentmon.feedback(trace.traceId, { type: 'rating', rating: 'negative' });
    await agentmon.flush();

    expect(gateway.requests.every((r) => r.authorization === 'Bearer test-key')).toBe(true);
    expect(gateway.requests.map((r) => r.path).sort()).toEqual(['/v1/events', '/v1/spans']);
    expect(gateway.acceptedSpans().map((s) => s.name)).toEqual(['lookup', 'answer']);
    expect(gateway.acceptedSpans()[0].parent_span_id).toBe(step.spanId);
    expect(gateway.acceptedEvents().map((e) => e.type)).toEqual([
      'trace_start',
      'trace_end',
      'rating',
    ]);
    expect(gateway.acceptedEvents().every((e) => e.trace_id === trace.traceId)).toBe(true);
    expect(agentmon.stats()).toEqual({ sent: 5, dropped: 0, rejected: 0, retries: 0, buffered: 0 });
  });

  it('sends a full batch at once and a partial one after the flush interval', async () => {
    const sized = client({ maxBatchSize: 3 });
    const trace = sized.startTrace();
    trace.startSpan({ operation: 'agent_step', name: 'a' }).end();
    trace.startSpan({ operation: 'agent_step', name: 'b' }).end();
    await new Promise((r) => setTimeout(r, 50));
    expect(gateway.requests).toHaveLength(0);
    trace.startSpan({ operation: 'agent_step', name: 'c' }).end();
    // Once a request goes out, the other route's queue goes along rather than wait.
    await waitFor(() => sized.stats().sent === 4);
    expect(gateway.requests.map((r) => r.path)).toEqual(['/v1/spans', '/v1/events']);
    expect(gateway.acceptedSpans().map((s) => s.name)).toEqual(['a', 'b', 'c']);

    const timed = client({ flushIntervalMs: 20 });
    const timedTrace = timed.startTrace();
    expect(timed.stats()).toMatchObject({ sent: 0, buffered: 1 });
    await waitFor(() => timed.stats().sent === 1);
    expect(gateway.acceptedEvents().map((e) => e.trace_id)).toContain(timedTrace.traceId);
  });

  it('retries 503 and 429 and waits at least Retry-After', async () => {
    gateway.script({ status: 503, retryAfter: '0' }, { status: 429, retryAfter: '1' });
    const agentmon = client();
    agentmon.startTrace();
    await agentmon.flush();
    const [first, second, third] = gateway.requests;
    expect(gateway.requests).toHaveLength(3);
    expect(third.at - second.at).toBeGreaterThanOrEqual(950);
    expect(second.body).toEqual(first.body);
    expect(agentmon.stats()).toMatchObject({ sent: 1, retries: 2, dropped: 0, rejected: 0 });
  });

  it('retries dropped connections and gives up after maxRetries, counting the loss', async () => {
    gateway.script('destroy', 'destroy', 'destroy');
    const errors: ExportErrorEvent[] = [];
    const agentmon = client({ maxRetries: 2, onError: (e) => errors.push(e) });
    agentmon.startTrace();
    agentmon.startTrace();
    await agentmon.flush();
    expect(gateway.requests).toHaveLength(3);
    expect(agentmon.stats()).toEqual({ sent: 0, dropped: 2, rejected: 0, retries: 2, buffered: 0 });
    expect(errors).toEqual([
      expect.objectContaining({ kind: 'dropped', reason: 'retries_exhausted', items: 2 }),
    ]);
  });

  it('does not retry a 400 and keeps the gateway issues', async () => {
    gateway.script({
      status: 400,
      body: {
        error: 'invalid_batch',
        issues: [{ index: 0, path: 'events[0].context', message: 'bad' }],
      },
    });
    const agentmon = client();
    agentmon.startTrace();
    await agentmon.flush();
    expect(gateway.requests).toHaveLength(1);
    expect(agentmon.stats()).toMatchObject({ rejected: 1, retries: 0, sent: 0 });
    expect(agentmon.rejections()).toEqual([
      expect.objectContaining({
        route: 'events',
        status: 400,
        error: 'invalid_batch',
        issues: [{ index: 0, path: 'events[0].context', message: 'bad' }],
      }),
    ]);
  });

  it('does not retry a 401 (wrong API key)', async () => {
    const agentmon = client({ apiKey: 'wrong' });
    agentmon.startTrace().end({ completed: false });
    await agentmon.flush();
    expect(gateway.requests).toHaveLength(1);
    expect(agentmon.stats()).toMatchObject({ rejected: 2, retries: 0 });
    expect(agentmon.rejections()[0]).toMatchObject({ status: 401, error: 'unauthorized' });
  });

  it('splits a batch the gateway finds too large', async () => {
    gateway.script({ status: 413 });
    const agentmon = client();
    for (let i = 0; i < 4; i++) agentmon.startTrace();
    await agentmon.flush();
    expect(gateway.requests.map((r) => r.body.events?.length)).toEqual([4, 2, 2]);
    expect(agentmon.stats()).toMatchObject({ sent: 4, rejected: 0 });
  });

  it('rejects an invalid item locally so the rest of its batch still goes through', async () => {
    const agentmon = client();
    const trace = agentmon.startTrace();
    trace.startSpan({ operation: 'bogus' as never, name: 'typo' }).end();
    trace.startSpan({ operation: 'tool_call', name: 'fine' }).end();
    await agentmon.flush();
    expect(gateway.acceptedSpans().map((s) => s.name)).toEqual(['fine']);
    expect(agentmon.stats()).toMatchObject({ sent: 2, rejected: 1 });
    expect(agentmon.rejections()[0]).toMatchObject({
      status: 0,
      error: 'invalid_item',
      issues: [{ path: 'operation' }],
    });
  });

  it('bounds the buffer and counts what it drops', async () => {
    gateway.script('hang');
    const agentmon = client({
      maxBufferedItems: 3,
      maxBatchSize: 1,
      requestTimeoutMs: 200,
      maxRetries: 0,
    });
    for (let i = 0; i < 5; i++) agentmon.startTrace();
    expect(agentmon.stats()).toMatchObject({ buffered: 3, dropped: 2 });
    await agentmon.flush();
    // The hung request timed out (dropped, no retries left); the other two were delivered.
    expect(agentmon.stats()).toEqual({ sent: 2, dropped: 3, rejected: 0, retries: 0, buffered: 0 });
  });

  it('flushes on shutdown and drops whatever arrives afterwards', async () => {
    const agentmon = client();
    const trace = agentmon.startTrace();
    await agentmon.shutdown();
    expect(gateway.acceptedEvents()).toHaveLength(1);
    trace.end({ completed: true });
    await agentmon.flush();
    expect(gateway.requests).toHaveLength(1);
    expect(agentmon.stats()).toMatchObject({ sent: 1, dropped: 1 });
  });

  it('shutdown gives up after shutdownTimeoutMs when the gateway hangs', async () => {
    gateway.script('hang');
    const agentmon = client({ shutdownTimeoutMs: 150, requestTimeoutMs: 60_000 });
    agentmon.startTrace();
    const started = Date.now();
    await agentmon.shutdown();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(agentmon.stats()).toMatchObject({ sent: 0, dropped: 1, buffered: 0 });
  });

  it('never throws into the agent when fetch itself blows up', async () => {
    const agentmon = client({
      maxRetries: 1,
      fetch: () => {
        throw new Error('fetch exploded');
      },
      onError: () => {
        throw new Error('hook exploded too');
      },
    });
    const trace = agentmon.startTrace();
    trace.startSpan({ operation: 'agent_step' }).end();
    trace.end({ completed: true });
    await expect(agentmon.flush()).resolves.toBeUndefined();
    expect(agentmon.stats()).toMatchObject({ dropped: 3, retries: 2 });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

import { AgentMonClient, type ExportStats } from '@agentmon/sdk';
import type { SimulatedTrace } from './scenarios';

export interface SendTrafficOptions {
  gatewayUrl: string;
  apiKey: string;
  /** Backfill: send as fast as the gateway takes them. Live: each trace when its end time comes. */
  live: boolean;
  /** SDK clients sending in parallel (each has one request in flight). */
  clients?: number;
  /** Items buffered per client before the generator waits for it to drain (bounds memory). */
  maxBufferedPerClient?: number;
  onTrace?: (sent: number) => void;
}

export interface SendTrafficResult extends ExportStats {
  traces: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Records one simulated trace through the SDK exactly as an instrumented agent would. */
export function recordTrace(client: AgentMonClient, plan: SimulatedTrace): void {
  const trace = client.startTrace({
    traceId: plan.traceId,
    sessionId: plan.sessionId,
    sessionNumber: plan.sessionNumber,
    taskType: plan.taskType,
    userSegment: plan.userSegment,
    platform: plan.platform,
    modelVersion: plan.modelVersion,
    agentVersion: plan.agentVersion,
    queryLength: plan.queryLength,
    startTime: plan.startMs,
  });
  const root = trace.startSpan({
    operation: 'agent_step',
    name: 'answer',
    startTime: plan.startMs,
  });
  for (const [i, step] of plan.steps.entries()) {
    if (step.operation === 'llm_call') {
      trace
        .startSpan({
          operation: 'llm_call',
          name: 'messages.create',
          parent: root,
          startTime: step.startMs,
          attributes: {
            model: step.name,
            input_tokens: step.inputTokens,
            output_tokens: step.outputTokens,
          },
        })
        .end(step.endMs);
    } else {
      const toolUseId = `tu_${i}`;
      trace.startToolCall({
        toolUseId,
        name: step.name,
        input: { step: i },
        parent: root,
        startTime: step.startMs,
      });
      trace.recordToolResult(toolUseId, {
        output: step.error ?? '{"ok":true}',
        isError: step.error !== undefined,
        errorMessage: step.error,
        endTime: step.endMs,
      });
    }
  }
  root.end(plan.endMs);
  // The users' signals go out with the trace, ahead of its trace_end (stamped with when the
  // user gave them): sent after it, a signal that reaches the sessionizer past the trace_end
  // grace revises a closed trace, and a backfill sent as fast as the gateway takes it would
  // turn every window into revisions — what scenarios show must not depend on that timing.
  for (const { atMs, ...signal } of plan.feedback) trace.feedback({ ...signal, timestamp: atMs });
  trace.end({ completed: plan.completed, finalOutput: plan.finalOutput, endTime: plan.endMs });
}

/**
 * Sends the traces through the SDK to the gateway. Each trace goes whole to one client (its
 * spans and events stay in order); a client holding more than `maxBufferedPerClient` items is
 * drained before it gets more, so a backfill goes as fast as the gateway answers and no item is
 * dropped for a full buffer. Throws when the gateway refuses the API key.
 */
export async function sendTraffic(
  traces: Iterable<SimulatedTrace>,
  options: SendTrafficOptions,
): Promise<SendTrafficResult> {
  const clientCount = options.clients ?? 4;
  const maxBuffered = options.maxBufferedPerClient ?? 3000;
  const clients = Array.from(
    { length: clientCount },
    () =>
      new AgentMonClient({
        endpoint: options.gatewayUrl,
        apiKey: options.apiKey,
        maxBatchSize: 500,
        maxBufferedItems: maxBuffered * 2,
        flushIntervalMs: 200,
      }),
  );
  let sent = 0;
  try {
    for (const plan of traces) {
      if (options.live) {
        const wait = plan.endMs - Date.now();
        if (wait > 0) await sleep(wait);
      }
      const client = clients[sent % clientCount];
      if (client.stats().buffered >= maxBuffered) {
        await client.flush();
        assertAccepted(client);
      }
      recordTrace(client, plan);
      sent += 1;
      options.onTrace?.(sent);
    }
    await Promise.all(clients.map((c) => c.flush()));
    for (const client of clients) assertAccepted(client);
  } finally {
    await Promise.all(clients.map((c) => c.shutdown()));
  }
  const total: SendTrafficResult = {
    traces: sent,
    sent: 0,
    dropped: 0,
    rejected: 0,
    retries: 0,
    buffered: 0,
  };
  for (const client of clients) {
    const stats = client.stats();
    total.sent += stats.sent;
    total.dropped += stats.dropped;
    total.rejected += stats.rejected;
    total.retries += stats.retries;
  }
  return total;
}

function assertAccepted(client: AgentMonClient): void {
  const stats = client.stats();
  if (stats.rejected === 0) return;
  const last = client.rejections().at(-1);
  const detail = last
    ? `HTTP ${last.status} ${last.error ?? ''} ${JSON.stringify(last.issues ?? [])}`
    : 'no detail';
  throw new Error(`gateway rejected ${stats.rejected} item(s): ${detail} (check --api-key)`);
}

import { ClickHouseConnection } from '@agentmon/clickhouse';
import { waitFor } from '@agentmon/launcher';
import { randomUUID } from 'node:crypto';

/**
 * Sends one small trace through the gateway as an agent would and waits until its summary is
 * queryable in ClickHouse: proof that gateway → Kafka → sessionizer → ClickHouse works.
 */
export async function sendSmokeTrace(
  gatewayUrl: string,
  apiKey: string,
  clickhouse: ClickHouseConnection,
  timeoutMs = 60000,
): Promise<string> {
  const traceId = await postSmokeTrace(gatewayUrl, apiKey);
  return waitFor(
    `trace ${traceId} in ClickHouse`,
    async () => {
      const rows = await clickhouse.query<{ c: string }>(
        'SELECT count() AS c FROM {db:Identifier}.trace_summaries WHERE trace_id = {t:String}',
        {
          db: clickhouse.database,
          t: traceId,
        },
      );
      return Number(rows[0]?.c) > 0 ? traceId : undefined;
    },
    { timeoutMs, intervalMs: 250 },
  );
}

/** Posts one small finished trace (two spans and a trace_end) through the gateway; its id. */
export async function postSmokeTrace(gatewayUrl: string, apiKey: string): Promise<string> {
  const traceId = `smoke-${randomUUID()}`;
  const rootId = `root-${randomUUID()}`;
  const now = Date.now();
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` };
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${gatewayUrl}${path}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    });
    if (response.status !== 202)
      throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
  };
  await post('/v1/spans', {
    spans: [
      {
        span_id: rootId,
        trace_id: traceId,
        operation: 'agent_step',
        status: 'OK',
        start_time: now - 2000,
        end_time: now,
      },
      {
        span_id: `llm-${randomUUID()}`,
        parent_span_id: rootId,
        trace_id: traceId,
        operation: 'llm_call',
        status: 'OK',
        start_time: now - 1900,
        end_time: now - 100,
        attributes: { model: 'claude-sonnet-4', input_tokens: 1200, output_tokens: 300 },
      },
    ],
  });
  await post('/v1/events', {
    events: [
      {
        type: 'trace_end',
        event_id: `end-${randomUUID()}`,
        trace_id: traceId,
        timestamp: now,
        final_output: 'done',
        completed: true,
      },
    ],
  });
  return traceId;
}

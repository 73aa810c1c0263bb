import { Topics } from '@agentmon/contracts';
import { AppProcess } from '@agentmon/launcher';
import { makeTrace } from '@agentmon/testing';
import { createHash, randomUUID } from 'node:crypto';
import { PipelineHarness } from './pipeline-harness';

/** The whole ingest path as an agent sees it: HTTP → gateway → broker → sessionizer → ClickHouse and the traces topic. */
describe('ingest path end to end', () => {
  const harness = new PipelineHarness();
  const apiKey = `am_${randomUUID()}`;
  const project = `proj-${randomUUID().slice(0, 8)}`;
  const otherKey = `am_${randomUUID()}`;
  const otherProject = `proj-${randomUUID().slice(0, 8)}`;
  const digest = (key: string) => createHash('sha256').update(key).digest('hex');
  let gateway: AppProcess;
  let sessionizer: AppProcess;

  beforeAll(async () => {
    await harness.setUp();
    gateway = AppProcess.start('gateway', {
      GATEWAY_PORT: '0',
      GATEWAY_API_KEYS: `${project}:${digest(apiKey)},${otherProject}:${digest(otherKey)}`,
    });
    sessionizer = harness.startSessionizer();
    await Promise.all([gateway.url(), sessionizer.url()]);
  });

  afterAll(async () => {
    await gateway.stop(15000);
    await sessionizer.stop(15000);
    await harness.tearDown();
  });

  it('stores each trace once with the project of the API key, and publishes its summary', async () => {
    // The factory's project id is ignored: the gateway stamps the key's project on every record.
    const traces = Array.from({ length: 8 }, (_, i) =>
      makeTrace({ spans: 3, failing: i === 0 ? 'llm_refusal' : false }),
    );
    const url = await gateway.url();
    const post = (path: string, body: unknown) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
        body: JSON.stringify(body),
      });
    for (const trace of traces) {
      expect((await post('/v1/spans', { spans: trace.spans })).status).toBe(202);
      expect((await post('/v1/events', { events: trace.events })).status).toBe(202);
    }
    const ids = new Set(traces.map((t) => t.trace_id));
    const rows = await harness.waitFor('summaries of every posted trace', async () => {
      const found = (await harness.traceRows()).filter((row) => ids.has(row.trace_id));
      return found.length === ids.size ? found : undefined;
    });
    expect(rows.every((row) => Number(row.rows) === 1 && Number(row.span_count) === 3)).toBe(true);
    const [{ c }] = await harness.clickhouse.query<{ c: string }>(
      'SELECT count() AS c FROM {db:Identifier}.trace_summaries FINAL WHERE project_id = {p:String}',
      { db: harness.database, p: project },
    );
    expect(Number(c)).toBe(traces.length);
    expect(await harness.spanCount(traces[0].trace_id)).toBe(3);
    const summaries = await harness.readTopic(
      Topics.traces,
      (seen) => seen.filter((s) => ids.has(s.trace_id)).length >= ids.size,
    );
    const ours = summaries.filter((s) => ids.has(s.trace_id));
    expect(ours.every((s) => s.project_id === project)).toBe(true);
    expect(ours.find((s) => s.trace_id === traces[0].trace_id)).toMatchObject({
      sampled: true,
      sampling_rule: 'failure',
      completed: false,
    });
  });

  it("stores one tenant's lone UTF-16 surrogates as U+FFFD and keeps serving every tenant", async () => {
    const url = await gateway.url();
    const post = (key: string, path: string, body: unknown) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        // JSON.stringify writes a lone surrogate as the escape "\ud800", as a careless client would.
        body: JSON.stringify(body),
      });
    const hostile = makeTrace({ spans: 2, failing: 'tool_failure' });
    hostile.spans[0].error_message = 'boom \ud800 here';
    const end = hostile.events.find((e) => e.type === 'trace_end')!;
    Object.assign(end, { final_output: 'a\ud800b' });
    expect((await post(apiKey, '/v1/spans', { spans: hostile.spans })).status).toBe(202);
    expect((await post(apiKey, '/v1/events', { events: hostile.events })).status).toBe(202);
    const innocent = makeTrace({ spans: 3 });
    expect((await post(otherKey, '/v1/spans', { spans: innocent.spans })).status).toBe(202);
    expect((await post(otherKey, '/v1/events', { events: innocent.events })).status).toBe(202);

    const ids = new Set([hostile.trace_id, innocent.trace_id]);
    await harness.waitFor('both tenants stored', async () => {
      const found = (await harness.traceRows()).filter((row) => ids.has(row.trace_id));
      return found.length === 2 ? found : undefined;
    });
    const [stored] = await harness.clickhouse.query<{ final_output: string }>(
      'SELECT final_output FROM {db:Identifier}.trace_summaries FINAL WHERE trace_id = {t:String}',
      { db: harness.database, t: hostile.trace_id },
    );
    expect(stored.final_output).toBe('a\uFFFDb');
    expect(sessionizer.running).toBe(true);
    expect((await fetch(`${await sessionizer.url()}/readyz`)).status).toBe(200);
  });
});

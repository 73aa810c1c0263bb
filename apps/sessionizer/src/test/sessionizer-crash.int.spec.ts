import { makeTrace } from '@agentmon/testing';
import { randomUUID } from 'node:crypto';
import { PipelineHarness } from './pipeline-harness';

describe('sessionizer killed with SIGKILL mid-stream', () => {
  const harness = new PipelineHarness();

  beforeAll(() => harness.setUp());
  afterAll(() => harness.tearDown());

  it('emits every trace exactly once in ClickHouse after a restart', async () => {
    const project = `p-${randomUUID()}`;
    const traces = Array.from({ length: 300 }, (_, i) =>
      makeTrace({
        spans: 3 + (i % 5),
        project_id: project,
        failing: i % 10 === 0 ? 'tool_failure' : false,
      }),
    );
    const ids = new Set(traces.map((t) => t.trace_id));
    const first = harness.startSessionizer();
    await first.url();
    // Interleave the traces' records as concurrent sessions would, and keep producing while we kill.
    const records = traces
      .flatMap((trace) =>
        trace.records.map((record, i) => ({ record, order: i * 1000 + Math.random() })),
      )
      .sort((a, b) => a.order - b.order)
      .map((x) => x.record);
    // Two thirds in: the shortest traces are complete (announced traces close on trace_end,
    // never on root grace), the rest are still open when the process dies.
    const half = Math.floor((records.length * 2) / 3);
    await harness.produceSpans(records.slice(0, half));
    await harness.waitFor('some traces stored before the kill', async () =>
      (await harness.traceRows()).length > 0 ? true : undefined,
    );
    first.kill('SIGKILL');
    expect(await first.exitCode()).toBeNull();
    await harness.produceSpans(records.slice(half));
    const second = harness.startSessionizer();
    try {
      await second.url();
      const rows = await harness.waitFor(
        'every trace after restart',
        async () => {
          const all = (await harness.traceRows()).filter((row) => ids.has(row.trace_id));
          return all.length === ids.size ? all : undefined;
        },
        60000,
      );
      expect(rows.every((row) => Number(row.rows) === 1)).toBe(true);
      for (const trace of traces) {
        expect(Number(rows.find((r) => r.trace_id === trace.trace_id)!.span_count)).toBe(
          trace.spans.length,
        );
      }
      const [{ c }] = await harness.clickhouse.query<{ c: string }>(
        'SELECT count() AS c FROM {db:Identifier}.trace_summaries FINAL WHERE project_id = {p:String}',
        { db: harness.database, p: project },
      );
      expect(Number(c)).toBe(traces.length);
    } finally {
      await second.stop(15000);
    }
  });
});

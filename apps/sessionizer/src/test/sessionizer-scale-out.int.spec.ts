import { makeTrace } from '@agentmon/testing';
import { randomUUID } from 'node:crypto';
import { PipelineHarness } from './pipeline-harness';

describe('two sessionizer instances in one consumer group', () => {
  const harness = new PipelineHarness();

  beforeAll(() => harness.setUp());
  afterAll(() => harness.tearDown());

  it('share the partitions across a rebalance and store every trace once', async () => {
    const project = `p-${randomUUID()}`;
    const traces = Array.from({ length: 200 }, (_, i) =>
      makeTrace({ spans: 2 + (i % 4), project_id: project }),
    );
    const ids = new Set(traces.map((t) => t.trace_id));
    const first = harness.startSessionizer();
    const second = harness.startSessionizer();
    try {
      await first.url();
      await harness.produceSpans(traces.slice(0, 100).flatMap((t) => t.records));
      await second.url(); // joins while the first is consuming: a rebalance moves partitions
      await harness.produceSpans(traces.slice(100).flatMap((t) => t.records));
      const rows = await harness.waitFor(
        'every trace from both instances',
        async () => {
          const found = (await harness.traceRows()).filter((row) => ids.has(row.trace_id));
          return found.length === ids.size ? found : undefined;
        },
        60000,
      );
      expect(rows.every((row) => Number(row.rows) === 1)).toBe(true);
      // Both instances did part of the work (the second got partitions in the rebalance).
      for (const instance of [first, second]) {
        const metrics = await (await fetch(`${await instance.url()}/metrics`)).text();
        expect(
          Number(/^agentmon_stage_records_total\{[^}]*\} (\d+)/m.exec(metrics)?.[1] ?? 0),
        ).toBeGreaterThan(0);
      }
      for (const trace of traces)
        expect(Number(rows.find((r) => r.trace_id === trace.trace_id)!.span_count)).toBe(
          trace.spans.length,
        );
    } finally {
      await Promise.all([first.stop(15000), second.stop(15000)]);
    }
  });
});

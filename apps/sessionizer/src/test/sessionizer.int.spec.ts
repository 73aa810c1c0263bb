import { Topics } from '@agentmon/contracts';
import { AppProcess } from '@agentmon/launcher';
import { makeTrace } from '@agentmon/testing';
import { randomUUID } from 'node:crypto';
import { PipelineHarness } from './pipeline-harness';

describe('sessionizer against the real broker, ClickHouse and Redis', () => {
  const harness = new PipelineHarness();
  let sessionizer: AppProcess;

  beforeAll(async () => {
    await harness.setUp();
    sessionizer = harness.startSessionizer();
    await sessionizer.url();
  });

  afterAll(async () => {
    expect(await sessionizer.stop(15000)).toBe(0);
    await harness.tearDown();
  });

  it('turns spans and events into one summary per trace, keeping the spans of failures', async () => {
    const project = `p-${randomUUID()}`;
    const ok = Array.from({ length: 12 }, () => makeTrace({ spans: 4, project_id: project }));
    const failing = Array.from({ length: 3 }, () =>
      makeTrace({ spans: 5, project_id: project, failing: 'tool_failure' }),
    );
    await harness.produceSpans([...ok, ...failing].flatMap((trace) => trace.records));
    const ids = new Set([...ok, ...failing].map((t) => t.trace_id));
    const rows = await harness.waitFor('all summaries in ClickHouse', async () => {
      const all = (await harness.traceRows()).filter((row) => ids.has(row.trace_id));
      return all.length === ids.size ? all : undefined;
    });
    expect(rows.every((row) => Number(row.rows) === 1)).toBe(true);
    for (const trace of failing) {
      const row = rows.find((r) => r.trace_id === trace.trace_id)!;
      expect(Number(row.sampled)).toBe(1);
      expect(await harness.spanCount(trace.trace_id)).toBe(5);
    }
    const published = await harness.readTopic(
      Topics.traces,
      (seen) =>
        ids.size === new Set(seen.filter((s) => ids.has(s.trace_id)).map((s) => s.trace_id)).size,
    );
    expect(
      published.filter((s) => ids.has(s.trace_id)).every((s) => s.project_id === project),
    ).toBe(true);
  });

  it('sends a record that breaks its contract to the dead-letter topic with the reason', async () => {
    const key = `bad-${randomUUID()}`;
    await harness.produceRaw(
      Topics.spans,
      key,
      JSON.stringify({
        kind: 'span',
        project_id: 'p',
        received_at: Date.now(),
        span: { span_id: 'x' },
      }),
    );
    const letters = await harness.readTopic(Topics.deadLetter, (seen) =>
      seen.some((l) => l.key === key),
    );
    const letter = letters.find((l) => l.key === key)!;
    expect(letter).toMatchObject({
      reason: 'schema_validation',
      consumer: 'sessionizer',
      source_topic: Topics.spans,
    });
    expect(letter.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['span.trace_id']));
  });
});

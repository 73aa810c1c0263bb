import { SpansTopicRecord, TraceSummarySchema } from '@agentmon/contracts';
import { DEFAULT_PRICE_TABLE, SamplingPolicy, TraceAssembler } from '@agentmon/sessionizer-domain';
import { makeEventEnvelope, makeFeedbackEvent, makeTrace } from '@agentmon/testing';
import { InMemorySinks } from './in-memory-sinks';
import { PartitionBatch, PipelineEvents, SessionizerPipeline } from './sessionizer-pipeline';

const quietEvents: PipelineEvents = {
  tracesClosed: () => undefined,
  revisionsEmitted: () => undefined,
  lateSpansIgnored: () => undefined,
  orphanFeedback: () => undefined,
  unpricedModels: () => undefined,
  emitFailed: () => undefined,
  commitFailed: () => undefined,
};

function setup(now = { t: 1_800_000_000_000 }) {
  const sinks = new InMemorySinks();
  const commits: string[] = [];
  const pipeline = new SessionizerPipeline(
    new TraceAssembler({ rootGraceMs: 1000, inactivityTimeoutMs: 10_000 }),
    new SamplingPolicy({ successRate: 0.1 }),
    DEFAULT_PRICE_TABLE,
    sinks,
    quietEvents,
    { clock: () => now.t, retryDelayMs: 1 },
  );
  let offset = 0;
  const batch = (records: SpansTopicRecord[]): PartitionBatch => ({
    partition: 0,
    records: records.map((value) => ({ offset: String(offset++), value })),
    commit: async (o) => {
      commits.push(o);
    },
  });
  return { sinks, commits, pipeline, batch, now };
}

describe('SessionizerPipeline', () => {
  it('emits a finished trace once, valid against its contract, and commits past it', async () => {
    const { sinks, commits, pipeline, batch } = setup();
    const trace = makeTrace({ spans: 4 });
    await pipeline.handleBatch(batch(trace.records));
    expect(sinks.emitted).toHaveLength(1);
    expect(() => TraceSummarySchema.parse(sinks.emitted[0])).not.toThrow();
    expect(sinks.emitted[0]).toMatchObject({
      trace_id: trace.trace_id,
      span_count: 4,
      revision: 0,
    });
    expect(commits.at(-1)).toBe(String(trace.records.length));
  });

  it('holds the commit at the first record of a trace still open', async () => {
    const { commits, pipeline, batch } = setup();
    const done = makeTrace({ spans: 2 });
    const open = makeTrace({ spans: 3 });
    const openWithoutEnd = open.records.filter(
      (r) => !(r.kind === 'event' && r.event.type === 'trace_end'),
    );
    await pipeline.handleBatch(batch([...done.records, ...openWithoutEnd]));
    expect(commits.at(-1)).toBe(String(done.records.length));
  });

  it('retries closed traces through sink failures and commits only once they are stored', async () => {
    const { sinks, commits, pipeline, batch } = setup();
    sinks.failuresLeft = 3;
    sinks.onFailure = () => expect(commits).toEqual([]);
    const trace = makeTrace({ spans: 3, failing: 'tool_failure' });
    await pipeline.handleBatch(batch(trace.records));
    expect(sinks.failuresLeft).toBe(0);
    expect(sinks.emitted.map((s) => s.trace_id)).toEqual([trace.trace_id]);
    expect(sinks.emitted[0]).toMatchObject({ sampled: true, sampling_rule: 'failure' });
    expect(sinks.spans.get(trace.trace_id)).toHaveLength(3);
    expect(commits.at(-1)).toBe(String(trace.records.length));
  });

  it('turns late feedback into a higher revision, and a redelivery into nothing', async () => {
    const { sinks, pipeline, batch } = setup();
    const trace = makeTrace({ spans: 2 });
    await pipeline.handleBatch(batch(trace.records));
    const rating = makeEventEnvelope(
      makeFeedbackEvent('rating', { trace_id: trace.trace_id, rating: 'negative' }),
    );
    await pipeline.handleBatch(batch([rating]));
    await pipeline.handleBatch(batch([rating]));
    expect(sinks.emitted.map((s) => [s.revision, s.rating, s.strong_completion])).toEqual([
      [0, 'none', true],
      [1, 'negative', false],
    ]);
  });

  it('groups batches of several partitions that arrive during a flush into the next one', async () => {
    const { sinks, pipeline, batch } = setup();
    let emits = 0;
    const original = sinks.emit.bind(sinks);
    sinks.emit = async (output) => {
      emits += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return original(output);
    };
    const traces = Array.from({ length: 4 }, () => makeTrace({ spans: 2 }));
    await Promise.all(traces.map((trace) => pipeline.handleBatch(batch(trace.records))));
    expect(sinks.emitted).toHaveLength(4);
    expect(emits).toBe(2);
  });

  it('drops the open traces of partitions a rebalance took away, and stops committing them', async () => {
    const { sinks, commits, pipeline, batch, now } = setup();
    const open = makeTrace({ spans: 3 });
    await pipeline.handleBatch(
      batch(open.records.filter((r) => !(r.kind === 'event' && r.event.type === 'trace_end'))),
    );
    const committedBefore = commits.length;
    expect(pipeline.retainPartitions([1, 2])).toEqual([0]);
    now.t += 600_000;
    await pipeline.tick();
    expect(sinks.emitted).toEqual([]);
    expect(pipeline.openTraces).toBe(0);
    expect(commits.length).toBe(committedBefore);
  });

  it('closes an abandoned trace on the timer when no records arrive', async () => {
    const { sinks, pipeline, batch, now } = setup();
    const trace = makeTrace({ spans: 3 });
    const noEnd = trace.records.filter(
      (r) => !(r.kind === 'event' && r.event.type === 'trace_end'),
    );
    await pipeline.handleBatch(batch(noEnd));
    expect(sinks.emitted).toHaveLength(0);
    now.t += 60_000;
    await pipeline.tick();
    expect(sinks.emitted).toHaveLength(1);
    expect(sinks.emitted[0].trace_id).toBe(trace.trace_id);
  });
});

describe('SessionizerPipeline after a restart (fresh memory, same sinks)', () => {
  it('does not re-emit an already emitted trace whose records are replayed', async () => {
    const first = setup();
    const trace = makeTrace({ spans: 3 });
    await first.pipeline.handleBatch(first.batch(trace.records));
    const restarted = setup();
    const sinks = first.sinks;
    const pipeline = new SessionizerPipeline(
      new TraceAssembler({ rootGraceMs: 1000 }),
      new SamplingPolicy(),
      DEFAULT_PRICE_TABLE,
      sinks,
      quietEvents,
      { clock: () => restarted.now.t },
    );
    await pipeline.handleBatch(restarted.batch(trace.records.slice(1)));
    expect(sinks.emitted.map((s) => s.revision)).toEqual([0]);
  });

  it('counts feedback for a trace it never saw instead of inventing one', async () => {
    const { sinks, pipeline, batch, now } = setup();
    let orphans = 0;
    const counting = new SessionizerPipeline(
      new TraceAssembler({ rootGraceMs: 10 }),
      new SamplingPolicy(),
      DEFAULT_PRICE_TABLE,
      sinks,
      { ...quietEvents, orphanFeedback: (n) => (orphans += n) },
      { clock: () => now.t },
    );
    const rating = makeEventEnvelope(
      makeFeedbackEvent('rating', { trace_id: 'never-seen', rating: 'positive' }),
    );
    await counting.handleBatch(batch([rating]));
    now.t += 600_000;
    await counting.tick();
    expect(sinks.emitted).toEqual([]);
    expect(orphans).toBe(1);
    void pipeline;
  });
});

import { SpansTopicRecord, TraceSummarySchema } from '@agentmon/contracts';
import { DEFAULT_PRICE_TABLE, SamplingPolicy, TraceAssembler } from '@agentmon/sessionizer-domain';
import { RetryPolicy, StageRunner } from '@agentmon/stream-runtime';
import { makeEventEnvelope, makeFeedbackEvent, makeTrace } from '@agentmon/testing';
import { EMIT_STEPS, InMemorySinks } from '../test/in-memory-sinks';
import { SessionizerEvents, SessionizerStage } from './sessionizer.stage';

const quietEvents: SessionizerEvents = {
  tracesClosed: () => undefined,
  revisionsEmitted: () => undefined,
  lateSpansIgnored: () => undefined,
  orphanFeedback: () => undefined,
  unpricedModels: () => undefined,
};

const CONTEXT = { prices: DEFAULT_PRICE_TABLE, lateSpansWindowMs: 86_400_000 };
const fastRetry = new RetryPolicy({ initialDelayMs: 1, maxDelayMs: 2, maxAttempts: Infinity });

function runnerFor(
  stage: SessionizerStage,
  clock: () => number,
  commits: string[] = [],
): StageRunner<typeof stage.input, unknown> {
  return new StageRunner(
    stage,
    {
      commit: async (_partition, offset) => void commits.push(offset),
      publishDeadLetters: async () => undefined,
      heartbeat: async () => undefined,
    },
    fastRetry,
    {},
    clock,
  ) as StageRunner<typeof stage.input, unknown>;
}

function setup(now = { t: 1_800_000_000_000 }) {
  const sinks = new InMemorySinks();
  const commits: string[] = [];
  const stage = new SessionizerStage(
    new TraceAssembler({ rootGraceMs: 1000, traceEndGraceMs: 0, inactivityTimeoutMs: 10_000 }),
    new SamplingPolicy({ successRate: 0.1 }),
    CONTEXT,
    sinks,
    quietEvents,
  );
  const runner = runnerFor(stage, () => now.t, commits);
  let offset = 0;
  const batch = (records: SpansTopicRecord[]) => ({
    partition: 0,
    records: records.map((value) => ({
      offset: String(offset++),
      key: null,
      timestamp: now.t,
      value,
    })),
  });
  return { sinks, commits, stage, runner, batch, now };
}

describe('SessionizerStage on the stage runtime', () => {
  it('emits a finished trace once, valid against its contract, and commits past it', async () => {
    const { sinks, commits, runner, batch } = setup();
    const trace = makeTrace({ spans: 4 });
    await runner.handle(batch(trace.records));
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
    const { commits, runner, batch } = setup();
    const done = makeTrace({ spans: 2 });
    const open = makeTrace({ spans: 3 });
    const openWithoutEnd = open.records.filter(
      (r) => !(r.kind === 'event' && r.event.type === 'trace_end'),
    );
    await runner.handle(batch([...done.records, ...openWithoutEnd]));
    expect(commits.at(-1)).toBe(String(done.records.length));
  });

  it('retries closed traces through sink failures and commits only once they are stored', async () => {
    const { sinks, commits, runner, batch } = setup();
    sinks.failuresLeft = 3;
    sinks.onFailure = () => expect(commits).toEqual([]);
    const trace = makeTrace({ spans: 3, failing: 'tool_failure' });
    await runner.handle(batch(trace.records));
    expect(sinks.failuresLeft).toBe(0);
    expect(sinks.emitted.map((s) => s.trace_id)).toEqual([trace.trace_id]);
    expect(sinks.emitted[0]).toMatchObject({ sampled: true, sampling_rule: 'failure' });
    expect(sinks.spans.get(trace.trace_id)).toHaveLength(3);
    expect(commits.at(-1)).toBe(String(trace.records.length));
  });

  it('turns late feedback into a higher revision, and a redelivery into nothing', async () => {
    const { sinks, runner, batch } = setup();
    const trace = makeTrace({ spans: 2 });
    await runner.handle(batch(trace.records));
    const rating = makeEventEnvelope(
      makeFeedbackEvent('rating', { trace_id: trace.trace_id, rating: 'negative' }),
    );
    await runner.handle(batch([rating]));
    await runner.handle(batch([rating]));
    expect(sinks.emitted.map((s) => [s.revision, s.rating, s.strong_completion])).toEqual([
      [0, 'none', true],
      [1, 'negative', false],
    ]);
  });

  it('groups batches of several partitions that arrive during a flush into the next one', async () => {
    const { sinks, runner, batch } = setup();
    let emits = 0;
    const original = sinks.emit.bind(sinks);
    sinks.emit = async (output) => {
      emits += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return original(output);
    };
    const traces = Array.from({ length: 4 }, () => makeTrace({ spans: 2 }));
    await Promise.all(traces.map((trace) => runner.handle(batch(trace.records))));
    expect(sinks.emitted).toHaveLength(4);
    expect(emits).toBe(2);
  });

  it('drops the open traces of partitions a rebalance took away, and stops committing them', async () => {
    const { sinks, commits, stage, runner, batch, now } = setup();
    const open = makeTrace({ spans: 3 });
    await runner.handle(
      batch(open.records.filter((r) => !(r.kind === 'event' && r.event.type === 'trace_end'))),
    );
    const committedBefore = commits.length;
    expect(runner.retainPartitions([1, 2])).toEqual([0]);
    now.t += 600_000;
    await runner.tick();
    expect(sinks.emitted).toEqual([]);
    expect(stage.openTraces).toBe(0);
    expect(commits.length).toBe(committedBefore);
  });

  it('closes an abandoned trace on the timer when no records arrive', async () => {
    const { sinks, runner, batch, now } = setup();
    const trace = makeTrace({ spans: 3 });
    const noEnd = trace.records.filter(
      (r) => !(r.kind === 'event' && r.event.type === 'trace_end'),
    );
    await runner.handle(batch(noEnd));
    expect(sinks.emitted).toHaveLength(0);
    now.t += 60_000;
    await runner.tick();
    expect(sinks.emitted).toHaveLength(1);
    expect(sinks.emitted[0].trace_id).toBe(trace.trace_id);
  });
});

describe('SessionizerStage after a restart (fresh memory, same sinks)', () => {
  it('does not re-emit an already emitted trace whose records are replayed', async () => {
    const first = setup();
    const trace = makeTrace({ spans: 3 });
    await first.runner.handle(first.batch(trace.records));
    const restarted = setup();
    const sinks = first.sinks;
    const stage = new SessionizerStage(
      new TraceAssembler({ rootGraceMs: 1000, traceEndGraceMs: 0 }),
      new SamplingPolicy(),
      CONTEXT,
      sinks,
      quietEvents,
    );
    await runnerFor(stage, () => restarted.now.t).handle(restarted.batch(trace.records.slice(1)));
    expect(sinks.emitted.map((s) => s.revision)).toEqual([0]);
  });

  it('counts feedback for a trace it never saw instead of inventing one', async () => {
    const { sinks, batch, now } = setup();
    let orphans = 0;
    const stage = new SessionizerStage(
      new TraceAssembler({ rootGraceMs: 10 }),
      new SamplingPolicy(),
      CONTEXT,
      sinks,
      { ...quietEvents, orphanFeedback: (n) => (orphans += n) },
    );
    const counting = runnerFor(stage, () => now.t);
    const rating = makeEventEnvelope(
      makeFeedbackEvent('rating', { trace_id: 'never-seen', rating: 'positive' }),
    );
    await counting.handle(batch([rating]));
    now.t += 600_000;
    await counting.tick();
    expect(sinks.emitted).toEqual([]);
    expect(orphans).toBe(1);
  });
});

describe('SessionizerStage crash between sink steps (replay after restart)', () => {
  const once = new RetryPolicy({ initialDelayMs: 1, maxDelayMs: 1, maxAttempts: 1 });

  function stageOn(sinks: InMemorySinks) {
    return new SessionizerStage(
      new TraceAssembler({ rootGraceMs: 1000, traceEndGraceMs: 0, inactivityTimeoutMs: 10_000 }),
      new SamplingPolicy({ successRate: 0.1 }),
      CONTEXT,
      sinks,
      quietEvents,
    );
  }
  const runnerOn = (stage: SessionizerStage, retry: RetryPolicy, now: () => number) =>
    new StageRunner(
      stage,
      {
        commit: async () => undefined,
        publishDeadLetters: async () => undefined,
        heartbeat: async () => undefined,
      },
      retry,
      {},
      now,
    );
  const asBatch = (records: SpansTopicRecord[], now: number) => ({
    partition: 0,
    records: records.map((value, offset) => ({
      offset: String(offset),
      key: null,
      timestamp: now,
      value,
    })),
  });

  it.each(EMIT_STEPS)('re-emits byte-identical summaries after a crash after %s', async (step) => {
    const sinks = new InMemorySinks();
    const trace = makeTrace({ spans: 3 });
    const rating = makeEventEnvelope(
      makeFeedbackEvent('rating', { trace_id: trace.trace_id, rating: 'negative' }),
    );
    const records = [...trace.records, rating];
    // First life: the trace is emitted; the rating's revision crashes after `step`.
    const first = runnerOn(stageOn(sinks), once, () => 1_800_000_000_000);
    await first.handle(asBatch(trace.records, 1_800_000_000_000));
    sinks.crashAfter = step;
    await expect(
      first.handle({
        partition: 0,
        records: [{ offset: '99', key: null, timestamp: 0, value: rating }],
      }),
    ).rejects.toThrow(`crashed after ${step}`);
    // Second life (different processing time): nothing was committed, everything is replayed.
    const second = runnerOn(stageOn(sinks), fastRetry, () => 1_900_000_000_000);
    await second.handle(asBatch(records, 1_900_000_000_000));
    const byRevision = new Map<number, string>();
    for (const summary of sinks.emitted) {
      const text = JSON.stringify(summary);
      expect(byRevision.get(summary.revision) ?? text).toBe(text);
      byRevision.set(summary.revision, text);
    }
    expect([...byRevision.keys()].sort()).toEqual([0, 1]);
    expect(sinks.rows.get(`${trace.project_id}/${trace.trace_id}`)).toMatchObject({
      revision: 1,
      rating: 'negative',
    });
  });
});

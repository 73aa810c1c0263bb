import type { SpansTopicRecord } from '@agentmon/contracts';
import {
  FIXED_TIME_MS,
  makeEventEnvelope,
  makeFeedbackEvent,
  makeSpan,
  makeTrace,
  makeTraceEndEvent,
  makeTraceStartEvent,
  type GeneratedTrace,
} from '@agentmon/testing';
import type { AssemblyPolicy } from './assembly-policy';
import type { ClosedTrace, IngestResult } from './closed-trace';
import { TraceAssembler } from './trace-assembler';

const T0 = FIXED_TIME_MS;

/** Feeds records at consecutive offsets, all at `now`; collects what ingest handed back. */
function feed(
  assembler: TraceAssembler,
  records: readonly SpansTopicRecord[],
  { partition = 0, from = 0n, now = T0 }: { partition?: number; from?: bigint; now?: number } = {},
): IngestResult {
  const all: IngestResult = { closed: [], late: [] };
  records.forEach((record, i) => {
    const r = assembler.ingest(record, { partition, offset: from + BigInt(i) }, now);
    all.closed.push(...r.closed);
    all.late.push(...r.late);
  });
  return all;
}

const spanRecords = (t: GeneratedTrace) => t.records.filter((r) => r.kind === 'span');
const childRecords = (t: GeneratedTrace) =>
  t.records.filter((r) => r.kind === 'span' && r.span.parent_span_id !== null);
const eventRecord = (t: GeneratedTrace, type: 'trace_start' | 'trace_end') =>
  t.records.find((r) => r.kind === 'event' && r.event.type === type)!;
const spanIds = (c: ClosedTrace) => c.spans.map((s) => s.span_id);

/** traceEndGraceMs 0 unless a test sets it: trace_end then closes at the next expire. */
function assembler(policy: Partial<AssemblyPolicy> = {}): TraceAssembler {
  return new TraceAssembler({ traceEndGraceMs: 0, ...policy });
}

describe('TraceAssembler: assembly', () => {
  it('assembles an in-order trace and closes it on trace_end at the next expire', () => {
    const a = assembler();
    const trace = makeTrace({ seed: 1 });
    expect(feed(a, trace.records)).toEqual({ closed: [], late: [] });
    expect(a.openTraceCount).toBe(1);
    expect(a.openSpanCount).toBe(4);

    const [closed, ...rest] = a.expire(T0);
    expect(rest).toEqual([]);
    expect(closed).toMatchObject({
      projectId: trace.project_id,
      traceId: trace.trace_id,
      partition: 0,
      closedReason: 'trace_end',
      flags: [],
      firstOffset: 0n,
      droppedSpanCount: 0,
      droppedEventCount: 0,
    });
    expect(new Set(spanIds(closed))).toEqual(new Set(trace.spans.map((s) => s.span_id)));
    expect(closed.events.map((e) => e.type)).toEqual(['trace_start', 'trace_end']);
    expect(a.openTraceCount).toBe(0);
    expect(a.openSpanCount).toBe(0);
  });

  it('orders spans by start time and events by timestamp whatever the arrival order', () => {
    const inOrder = assembler();
    const shuffled = assembler();
    const trace = makeTrace({ seed: 2, spans: 8 });
    feed(inOrder, trace.records);
    feed(shuffled, [...trace.records].reverse());
    const [a] = inOrder.expire(T0);
    const [b] = shuffled.expire(T0);
    expect(b).toEqual(a);
    const starts = b.spans.map((s) => s.start_time);
    expect(starts).toEqual([...starts].sort((x, y) => x - y));
  });

  it('keeps spans behind a trace_end in the same batch (closing happens in expire)', () => {
    const a = assembler();
    const trace = makeTrace({ seed: 3 });
    const end = eventRecord(trace, 'trace_end');
    const others = trace.records.filter((r) => r !== end);
    feed(a, [end, ...others]);
    const [closed] = a.expire(T0);
    expect(closed.spans).toHaveLength(4);
  });

  it('dedupes spans by span_id (first copy wins) and events by event_id', () => {
    const a = assembler();
    const trace = makeTrace({ seed: 4 });
    const first = trace.spans[0];
    const altered: SpansTopicRecord = {
      kind: 'span',
      project_id: trace.project_id,
      received_at: T0,
      span: { ...first, status: 'ERROR', error_type: 'other' },
    };
    feed(a, [...trace.records, ...trace.records, altered]);
    expect(a.openSpanCount).toBe(4);
    const [closed] = a.expire(T0);
    expect(closed.spans).toHaveLength(4);
    expect(closed.events).toHaveLength(2);
    expect(closed.spans.find((s) => s.span_id === first.span_id)).toEqual(first);
  });

  it('keys traces by (project_id, trace_id)', () => {
    const a = assembler();
    const one = makeTrace({ seed: 5, trace_id: 'trace-same', project_id: 'project-a' });
    const two = makeTrace({ seed: 6, trace_id: 'trace-same', project_id: 'project-b' });
    feed(a, [...one.records, ...two.records]);
    expect(a.openTraceCount).toBe(2);
    expect(
      a
        .expire(T0)
        .map((c) => c.projectId)
        .sort(),
    ).toEqual(['project-a', 'project-b']);
  });
});

describe('TraceAssembler: closing rules', () => {
  it('waits traceEndGraceMs for stragglers after a root-less trace_end, then flags missing_root', () => {
    const a = assembler({ rootGraceMs: 5_000, traceEndGraceMs: 5_000 });
    const trace = makeTrace({ seed: 7 });
    feed(a, [...childRecords(trace), eventRecord(trace, 'trace_end')]);
    expect(a.expire(T0 + 4_999)).toEqual([]);
    const [closed] = a.expire(T0 + 5_000);
    expect(closed).toMatchObject({ closedReason: 'trace_end', flags: ['missing_root'] });
  });

  it('closes rootGraceMs after the root span arrived when no trace_end comes', () => {
    const a = assembler({ rootGraceMs: 5_000 });
    const trace = makeTrace({ seed: 8 });
    feed(a, spanRecords(trace), { now: T0 + 1_000 });
    expect(a.expire(T0 + 5_999)).toEqual([]);
    const [closed] = a.expire(T0 + 6_000);
    expect(closed).toMatchObject({ closedReason: 'root_grace', flags: ['missing_trace_end'] });
  });

  describe("a trace_start stating a root span's context (OTLP: `<root span id>.start`)", () => {
    /** An OpenTelemetry-shaped trace, its root's context as the OTLP mapping states it. */
    function otelTrace(startEventId: (rootId: string, childId: string) => string) {
      const trace = makeTrace({ seed: 10 });
      const child = childRecords(trace)[0];
      const start = makeTraceStartEvent(
        {
          event_id: startEventId(
            trace.root.span_id,
            child.kind === 'span' ? child.span.span_id : '',
          ),
          trace_id: trace.trace_id,
          timestamp: trace.root.start_time,
          context: { session_id: 'sess-1', user_id: 'user-1' },
        },
        { seed: 10 },
      );
      return [...spanRecords(trace), makeEventEnvelope(start, { project_id: trace.project_id })];
    }

    it('keeps the trace an OpenTelemetry one: it closes on root grace, context kept', () => {
      const a = assembler({ rootGraceMs: 5_000, inactivityTimeoutMs: 300_000 });
      feed(
        a,
        otelTrace((root) => `${root}.start`),
        { now: T0 },
      );
      const [closed] = a.expire(T0 + 5_000);
      expect(closed).toMatchObject({ closedReason: 'root_grace', announced: false });
      expect(closed.events).toEqual([
        expect.objectContaining({
          type: 'trace_start',
          context: expect.objectContaining({ session_id: 'sess-1' }),
        }),
      ]);
    });

    it.each([
      ["an agent's own trace_start", () => 'evt-start-1'],
      ['one naming a span that has a parent', (_root: string, child: string) => `${child}.start`],
    ])('%s announces an SDK-style trace: no root grace', (_name, id) => {
      const a = assembler({ rootGraceMs: 5_000, inactivityTimeoutMs: 300_000 });
      feed(a, otelTrace(id), { now: T0 });
      expect(a.expire(T0 + 299_999)).toEqual([]);
      const [closed] = a.expire(T0 + 300_000);
      expect(closed).toMatchObject({ closedReason: 'inactivity', announced: true });
    });
  });

  it('closes an inactive trace with no root and no trace_end as inactivity', () => {
    const a = assembler({ inactivityTimeoutMs: 300_000 });
    const trace = makeTrace({ seed: 9 });
    feed(a, [eventRecord(trace, 'trace_start'), ...childRecords(trace)], { now: T0 });
    const another = makeSpan({ trace_id: trace.trace_id, parent_span_id: trace.root.span_id });
    a.ingest(
      { kind: 'span', project_id: trace.project_id, received_at: T0, span: another },
      { partition: 0, offset: 10n },
      T0 + 100_000,
    );
    expect(a.expire(T0 + 399_999)).toEqual([]);
    const [closed] = a.expire(T0 + 400_000);
    expect(closed).toMatchObject({
      closedReason: 'inactivity',
      flags: ['missing_root', 'missing_trace_end'],
    });
  });

  it('closes a trace open longer than maxTraceDurationMs even while active', () => {
    const a = assembler({ maxTraceDurationMs: 3_600_000, inactivityTimeoutMs: 300_000 });
    const traceId = 'trace-long';
    for (let minute = 0; minute < 60; minute++) {
      const span = makeSpan({ trace_id: traceId, parent_span_id: 'span-root' }, { seed: minute });
      a.ingest(
        { kind: 'span', project_id: 'project-1', received_at: T0, span },
        { partition: 0, offset: BigInt(minute) },
        T0 + minute * 60_000,
      );
      expect(a.expire(T0 + minute * 60_000)).toEqual([]);
    }
    const [closed] = a.expire(T0 + 3_600_000);
    expect(closed).toMatchObject({ closedReason: 'max_duration', traceId });
    expect(closed.spans).toHaveLength(60);
  });
});

describe('TraceAssembler: caps', () => {
  it('closes the least recently active trace as cap_exceeded when maxOpenTraces is reached', () => {
    const a = assembler({ maxOpenTraces: 2 });
    const [t1, t2, t3] = [11, 12, 13].map((seed) => makeTrace({ seed }));
    feed(a, [eventRecord(t1, 'trace_start')], { from: 0n, now: T0 });
    feed(a, [eventRecord(t2, 'trace_start')], { from: 1n, now: T0 + 1 });
    feed(a, [childRecords(t1)[0]], { from: 2n, now: T0 + 2 }); // t1 is now the more recent
    const { closed } = feed(a, [eventRecord(t3, 'trace_start')], { from: 3n, now: T0 + 3 });
    expect(closed).toEqual([
      expect.objectContaining({ traceId: t2.trace_id, closedReason: 'cap_exceeded' }),
    ]);
    expect(a.openTraceCount).toBe(2);
  });

  it('counts spans past maxSpansPerTrace instead of keeping them, always keeping the root', () => {
    const a = assembler({ maxSpansPerTrace: 3 });
    const trace = makeTrace({ seed: 14, spans: 7 }); // 6 children, then the root
    feed(a, trace.records);
    expect(a.openSpanCount).toBe(4);
    const [closed] = a.expire(T0);
    expect(closed.spans).toHaveLength(4);
    expect(closed.spans.some((s) => s.parent_span_id === null)).toBe(true);
    expect(closed.droppedSpanCount).toBe(3);
    expect(closed.flags).toEqual(['spans_truncated']);
  });

  it('counts events past maxEventsPerTrace', () => {
    const a = assembler({ maxEventsPerTrace: 2 });
    const trace = makeTrace({ seed: 15 });
    const extra = makeEventEnvelope(
      makeFeedbackEvent('follow_up', { trace_id: trace.trace_id }, { seed: 1 }),
    );
    feed(a, [...trace.records, extra]);
    const [closed] = a.expire(T0);
    expect(closed.events).toHaveLength(2);
    expect(closed.droppedEventCount).toBe(1);
  });

  it('never holds more than maxOpenTraces under a random load', () => {
    const a = assembler({ maxOpenTraces: 50, maxSpansPerTrace: 5 });
    let closedCount = 0;
    for (let i = 0; i < 1_000; i++) {
      const trace_id = `trace-${(i * 7919) % 300}`;
      const span = makeSpan({ trace_id, parent_span_id: 'span-p' }, { seed: i });
      const r = a.ingest(
        { kind: 'span', project_id: 'project-1', received_at: T0, span },
        { partition: 0, offset: BigInt(i) },
        T0 + i,
      );
      closedCount += r.closed.length;
      expect(a.openTraceCount).toBeLessThanOrEqual(50);
      expect(a.openSpanCount).toBeLessThanOrEqual(50 * 5);
    }
    expect(closedCount).toBeGreaterThan(0);
  });
});

describe('TraceAssembler: late records', () => {
  it('reports records of a recently closed trace as late instead of opening a phantom', () => {
    const a = assembler();
    const trace = makeTrace({ seed: 16 });
    feed(a, trace.records);
    a.expire(T0);
    const rating = makeEventEnvelope(
      makeFeedbackEvent('rating', { trace_id: trace.trace_id, rating: 'negative' }),
    );
    const straggler = trace.records[1];
    const { closed, late } = feed(a, [rating, straggler], { from: 100n, now: T0 + 60_000 });
    expect(closed).toEqual([]);
    expect(late).toEqual([
      {
        projectId: trace.project_id,
        traceId: trace.trace_id,
        partition: 0,
        offset: 100n,
        record: rating,
      },
      {
        projectId: trace.project_id,
        traceId: trace.trace_id,
        partition: 0,
        offset: 101n,
        record: straggler,
      },
    ]);
    expect(a.openTraceCount).toBe(0);
    expect(a.committableOffset(0)).toBe(102n);
  });

  it('remembers at most recentlyClosedCapacity closed traces', () => {
    const a = assembler({ recentlyClosedCapacity: 1 });
    const [t1, t2] = [17, 18].map((seed) => makeTrace({ seed }));
    feed(a, [...t1.records, ...t2.records]);
    expect(a.expire(T0)).toHaveLength(2);
    const late1 = makeEventEnvelope(makeFeedbackEvent('accepted', { trace_id: t1.trace_id }));
    const late2 = makeEventEnvelope(makeFeedbackEvent('accepted', { trace_id: t2.trace_id }));
    const result = feed(a, [late1, late2], { from: 50n });
    expect(result.late.map((l) => l.traceId)).toEqual([t2.trace_id]);
    expect(a.openTraceCount).toBe(1); // t1 was forgotten: its feedback opens a trace again
  });
});

describe('TraceAssembler: offsets and rebalances', () => {
  it('commits up to the first record of the oldest open trace, else past the last record', () => {
    const a = assembler();
    expect(a.committableOffset(0)).toBeNull();
    const [t1, t2] = [19, 20].map((seed) => makeTrace({ seed }));
    // offsets: t1 start 0, t1 span 1, t2 start 2, t2 span 3, t1 rest 4.., t2 rest ..
    feed(a, [t1.records[0], t1.records[1]], { from: 0n });
    feed(a, [t2.records[0], t2.records[1]], { from: 2n });
    expect(a.committableOffset(0)).toBe(0n);
    feed(a, t1.records.slice(2), { from: 4n }); // offsets 4..7
    expect(a.expire(T0).map((c) => c.traceId)).toEqual([t1.trace_id]);
    expect(a.committableOffset(0)).toBe(2n);
    feed(a, t2.records.slice(2), { from: 8n }); // offsets 8..11
    a.expire(T0);
    expect(a.committableOffset(0)).toBe(12n);
    expect(a.committableOffset(1)).toBeNull();
  });

  it('tracks partitions separately', () => {
    const a = assembler();
    const [t1, t2] = [21, 22].map((seed) => makeTrace({ seed }));
    feed(a, [t1.records[0]], { partition: 0, from: 40n });
    feed(a, t2.records, { partition: 1, from: 7n });
    a.expire(T0);
    expect(a.committableOffset(0)).toBe(40n);
    expect(a.committableOffset(1)).toBe(7n + BigInt(t2.records.length));
  });

  it('revokePartition drops its open traces, offsets and closed-key memory only', () => {
    const a = assembler();
    const [t0, t1, done] = [23, 24, 25].map((seed) => makeTrace({ seed }));
    feed(a, done.records, { partition: 0, from: 0n });
    a.expire(T0);
    feed(a, spanRecords(t0).slice(0, 2), { partition: 0, from: 10n });
    feed(a, spanRecords(t1).slice(0, 3), { partition: 1, from: 0n });
    expect(a.openTraceCount).toBe(2);
    expect(a.openSpanCount).toBe(5);

    a.revokePartition(0);
    expect(a.openTraceCount).toBe(1);
    expect(a.openSpanCount).toBe(3);
    expect(a.committableOffset(0)).toBeNull();
    expect(a.committableOffset(1)).toBe(0n);

    // Reassigned and replayed: the closed trace is rebuilt, not reported late.
    const replay = feed(a, done.records, { partition: 0, from: 0n });
    expect(replay.late).toEqual([]);
    expect(a.expire(T0).map((c) => c.traceId)).toEqual([done.trace_id]);
  });
});

describe('TraceAssembler: policy validation', () => {
  it.each<[string, Partial<AssemblyPolicy>]>([
    ['negative grace', { rootGraceMs: -1 }],
    ['zero open traces', { maxOpenTraces: 0 }],
    ['NaN cap', { maxSpansPerTrace: Number.NaN }],
  ])('rejects %s', (_label, policy) => {
    expect(() => new TraceAssembler(policy)).toThrow(RangeError);
  });

  it('fills defaults', () => {
    expect(new TraceAssembler().policy).toEqual({
      rootGraceMs: 5_000,
      traceEndGraceMs: 5_000,
      inactivityTimeoutMs: 300_000,
      maxOpenTraces: 100_000,
      maxSpansPerTrace: 2_000,
      maxEventsPerTrace: 256,
      maxTraceDurationMs: 3_600_000,
      recentlyClosedCapacity: 100_000,
    });
    expect(new TraceAssembler({ maxOpenTraces: 10 }).policy.recentlyClosedCapacity).toBe(10);
  });
});

it('assembles a trace made of events only', () => {
  const a = assembler();
  feed(a, [
    makeEventEnvelope(makeTraceStartEvent({ trace_id: 'trace-x' })),
    makeEventEnvelope(makeTraceEndEvent({ trace_id: 'trace-x' })),
  ]);
  const [closed] = a.expire(T0 + 5_000);
  expect(closed).toMatchObject({ traceId: 'trace-x', closedReason: 'trace_end' });
  expect(closed.flags).toEqual(['missing_root']);
});

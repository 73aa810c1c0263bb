import type { SpansTopicRecord, TraceSummary } from '@agentmon/contracts';
import {
  makeEventEnvelope,
  makeFeedbackEvent,
  makeSpanEnvelope,
  makeTrace,
  makeTraceSummary,
} from '@agentmon/testing';
import type { ClosedTrace, LateRecord } from './closed-trace';
import { buildSummaries, planEmission, traceKeyId, tracesToLookUp } from './emission-plan';
import { DEFAULT_PRICE_TABLE } from './price-table';
import { SamplingPolicy } from './sampling-policy';
import { TraceAssembler } from './trace-assembler';

const NOW = 1_800_000_000_000;

function closedFrom(records: SpansTopicRecord[]): ClosedTrace[] {
  const assembler = new TraceAssembler({ rootGraceMs: 0, inactivityTimeoutMs: 1 });
  records.forEach((record, offset) =>
    assembler.ingest(record, { partition: 0, offset: BigInt(offset) }, NOW),
  );
  return assembler.expire(NOW + 10_000_000);
}

function late(record: SpansTopicRecord): LateRecord {
  const traceId = record.kind === 'span' ? record.span.trace_id : record.event.trace_id;
  return { projectId: record.project_id, traceId, partition: 0, offset: 99n, record };
}

const trace = makeTrace({ spans: 3, trace_id: 't-1', project_id: 'project-1' });
const storedSummary: TraceSummary = makeTraceSummary({
  trace_id: 't-1',
  project_id: 'project-1',
  revision: 0,
});
const stored = (summary: TraceSummary | null) =>
  new Map([[traceKeyId({ projectId: 'project-1', traceId: 't-1' }), summary]]);
const negative = makeEventEnvelope(
  makeFeedbackEvent('rating', { trace_id: 't-1', rating: 'negative' }),
  { project_id: 'project-1' },
);

describe('planEmission', () => {
  it.each([
    {
      name: 'a trace seen for the first time is fresh',
      closed: closedFrom(trace.records),
      late: [],
      stored: stored(null),
      expected: { fresh: 1, revisions: 0, orphanEvents: 0, lateSpans: 0 },
    },
    {
      name: 'a replayed trace already emitted is not emitted again as revision 0',
      closed: closedFrom(trace.records),
      late: [],
      stored: stored(storedSummary),
      expected: { fresh: 0, revisions: 0, orphanEvents: 0, lateSpans: 3 },
    },
    {
      name: 'late feedback revises the stored summary',
      closed: [],
      late: [late(negative)],
      stored: stored(storedSummary),
      expected: { fresh: 0, revisions: 1, orphanEvents: 0, lateSpans: 0 },
    },
    {
      name: 'feedback for a trace nobody remembers is counted, not invented',
      closed: [],
      late: [late(negative)],
      stored: stored(null),
      expected: { fresh: 0, revisions: 0, orphanEvents: 1, lateSpans: 0 },
    },
    {
      name: 'a feedback-only closed trace without a stored summary is an orphan',
      closed: closedFrom([negative]),
      late: [],
      stored: stored(null),
      expected: { fresh: 0, revisions: 0, orphanEvents: 1, lateSpans: 0 },
    },
    {
      name: 'a late span is counted',
      closed: [],
      late: [late(makeSpanEnvelope({ trace_id: 't-1' }, { project_id: 'project-1' }))],
      stored: stored(storedSummary),
      expected: { fresh: 0, revisions: 0, orphanEvents: 0, lateSpans: 1 },
    },
  ])('$name', ({ closed, late: lateRecords, stored: lookup, expected }) => {
    const plan = planEmission(closed, lateRecords, lookup);
    expect({
      fresh: plan.fresh.length,
      revisions: plan.revisions.length,
      orphanEvents: plan.orphanEvents,
      lateSpans: plan.lateSpans,
    }).toEqual(expected);
  });

  it('revises to the next revision with the feedback applied', () => {
    const [revised] = planEmission([], [late(negative)], stored(storedSummary)).revisions;
    expect(revised).toMatchObject({ trace_id: 't-1', revision: 1, rating: 'negative' });
  });

  it('looks every trace up once, closed or late', () => {
    const keys = tracesToLookUp(closedFrom(trace.records), [late(negative), late(negative)]);
    expect(keys).toEqual([{ projectId: 'project-1', traceId: 't-1' }]);
  });
});

describe('buildSummaries', () => {
  it('builds revision 0 with the session number, keeps spans of sampled traces, counts reasons', () => {
    const failing = makeTrace({ spans: 3, failing: 'tool_failure', project_id: 'project-1' });
    const closed = closedFrom(failing.records);
    const built = buildSummaries(closed, [4], {
      now: NOW,
      sampler: new SamplingPolicy({ successRate: 0 }),
      prices: DEFAULT_PRICE_TABLE,
    });
    expect(built.summaries).toHaveLength(1);
    expect(built.summaries[0]).toMatchObject({ revision: 0, session_number: 4, sampled: true });
    expect(built.sampledSpans[0].spans).toHaveLength(3);
    expect(Object.values(built.reasons).reduce((a, b) => a + b, 0)).toBe(1);
  });
});

import { toTraceContribution, type SpansTopicRecord } from '@agentmon/contracts';
import {
  makeEventEnvelope,
  makeFeedbackEvent,
  makeSpanEnvelope,
  makeTrace,
} from '@agentmon/testing';
import type { ClosedTrace, LateRecord } from './closed-trace';
import { buildTraceSummaryWithDiagnostics } from './build-trace-summary';
import {
  buildSummaries,
  floorClaims,
  planEmission,
  traceKeyId,
  tracesToLookUp,
} from './emission-plan';
import type { RevisionBasis } from './revise-trace-summary';
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

const CONTEXT = { prices: DEFAULT_PRICE_TABLE, lateSpansWindowMs: 86_400_000 };
const trace = makeTrace({ spans: 3, trace_id: 't-1', project_id: 'project-1' });
const [closedTrace] = closedFrom(trace.records);
const emitted = buildTraceSummaryWithDiagnostics(
  closedTrace,
  { sessionNumber: null, sampler: new SamplingPolicy() },
  DEFAULT_PRICE_TABLE,
);
const stored = (basis: RevisionBasis | null) =>
  new Map([[traceKeyId({ projectId: 'project-1', traceId: 't-1' }), basis]]);
const negative = makeEventEnvelope(
  makeFeedbackEvent('rating', { trace_id: 't-1', rating: 'negative' }),
  { project_id: 'project-1' },
);
const lateSpan = makeSpanEnvelope(
  { trace_id: 't-1', span_id: 'late-1', parent_span_id: trace.root.span_id },
  { project_id: 'project-1' },
);

describe('planEmission', () => {
  it.each([
    {
      name: 'a trace seen for the first time is fresh',
      closed: closedFrom(trace.records),
      late: [],
      stored: stored(null),
      expected: { fresh: 1, revisions: 0, orphanEvents: 0, orphanSpans: 0 },
    },
    {
      name: 'a replayed trace already emitted changes nothing (its records were counted)',
      closed: closedFrom(trace.records),
      late: [],
      stored: stored(emitted.basis),
      expected: { fresh: 0, revisions: 0, orphanEvents: 0, orphanSpans: 0 },
    },
    {
      name: 'late feedback revises the stored summary',
      closed: [],
      late: [late(negative)],
      stored: stored(emitted.basis),
      expected: { fresh: 0, revisions: 1, orphanEvents: 0, orphanSpans: 0 },
    },
    {
      name: 'a late span revises the stored summary',
      closed: [],
      late: [late(lateSpan)],
      stored: stored(emitted.basis),
      expected: { fresh: 0, revisions: 1, orphanEvents: 0, orphanSpans: 0 },
    },
    {
      name: 'feedback for a trace nobody remembers is counted, not invented',
      closed: [],
      late: [late(negative)],
      stored: stored(null),
      expected: { fresh: 0, revisions: 0, orphanEvents: 1, orphanSpans: 0 },
    },
    {
      name: 'a span for a trace nobody remembers is counted',
      closed: [],
      late: [late(lateSpan)],
      stored: stored(null),
      expected: { fresh: 0, revisions: 0, orphanEvents: 0, orphanSpans: 1 },
    },
    {
      name: 'a feedback-only closed trace without a stored summary is an orphan',
      closed: closedFrom([negative]),
      late: [],
      stored: stored(null),
      expected: { fresh: 0, revisions: 0, orphanEvents: 1, orphanSpans: 0 },
    },
  ])('$name', ({ closed, late: lateRecords, stored: lookup, expected }) => {
    const plan = planEmission(closed, lateRecords, lookup, CONTEXT);
    expect({
      fresh: plan.fresh.length,
      revisions: plan.revisions.length,
      orphanEvents: plan.orphanEvents,
      orphanSpans: plan.orphanSpans,
    }).toEqual(expected);
  });

  it('revises to the next revision, carrying the contribution it replaces', () => {
    const [revised] = planEmission([], [late(negative)], stored(emitted.basis), CONTEXT).revisions;
    expect(revised.summary).toMatchObject({ trace_id: 't-1', revision: 1, rating: 'negative' });
    expect(revised.summary.previous_contribution).toEqual(toTraceContribution(emitted.summary));
    expect(revised.basis.summary).toEqual(revised.summary);
  });

  it('keeps the spans of an unsampled trace revised into a failure within the window, not after', () => {
    const unsampled = {
      ...emitted.basis,
      summary: { ...emitted.basis.summary, sampled: false, sampling_rule: 'unsampled' as const },
    };
    const received = (at: number) => ({ ...negative, received_at: at });
    const within = planEmission(
      [],
      [late(received(unsampled.summary.closed_at + 1000))],
      stored(unsampled),
      CONTEXT,
    );
    expect(within.revisions[0]).toMatchObject({
      spanFate: 'promote',
      summary: { sampled: true, sampling_rule: 'failure' },
    });
    const after = planEmission(
      [],
      [late(received(unsampled.summary.closed_at + 2 * 86_400_000))],
      stored(unsampled),
      CONTEXT,
    );
    expect(after.revisions[0]).toMatchObject({
      spanFate: 'expired',
      summary: { sampled: false, sampling_rule: 'unsampled' },
    });
  });

  it('looks every trace up once, closed or late', () => {
    const keys = tracesToLookUp(closedFrom(trace.records), [late(negative), late(negative)]);
    expect(keys).toEqual([{ projectId: 'project-1', traceId: 't-1' }]);
  });
});

describe('floorClaims and buildSummaries', () => {
  const sampler = new SamplingPolicy({ successRate: 0, minSuccessesPerTaskType: 2 });
  const summaryContext = { sampler, prices: DEFAULT_PRICE_TABLE };

  it('builds revision 0 with the session number and a basis, counting close reasons', () => {
    const failing = makeTrace({ spans: 3, failing: 'tool_failure', project_id: 'project-1' });
    const closed = closedFrom(failing.records);
    const result = buildSummaries(closed, [4], new Map(), summaryContext);
    expect(result.built).toHaveLength(1);
    expect(result.built[0].summary).toMatchObject({
      revision: 0,
      session_number: 4,
      sampled: true,
    });
    expect(result.built[0].spans).toHaveLength(3);
    expect(result.built[0].basis.summary).toEqual(result.built[0].summary);
    expect(Object.values(result.reasons).reduce((a, b) => a + b, 0)).toBe(1);
  });

  it.each([
    [0, 'success_floor', true],
    [1, 'success_floor', true],
    [2, 'unsampled', false],
  ])('a success the draw left out, with %i kept before, is %s', (keptBefore, rule, sampled) => {
    const success = closedFrom(makeTrace({ spans: 2, project_id: 'project-1' }).records);
    const claims = floorClaims(success, [null], summaryContext);
    expect(claims).toHaveLength(1);
    expect(claims[0].countsAnyway).toBe(false);
    const result = buildSummaries(
      success,
      [null],
      new Map([[traceKeyId(claims[0]), keptBefore]]),
      summaryContext,
    );
    expect(result.built[0].summary).toMatchObject({ sampling_rule: rule, sampled });
  });

  it('claims nothing for failures', () => {
    const failing = closedFrom(makeTrace({ spans: 2, failing: 'timeout' }).records);
    expect(floorClaims(failing, [null], summaryContext)).toEqual([]);
  });
});

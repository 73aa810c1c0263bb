import { TraceSummarySchema, type TraceEvent } from '@agentmon/contracts';
import { FIXED_TIME_MS, makeEventEnvelope, makeFeedbackEvent, makeTrace } from '@agentmon/testing';
import {
  buildTraceSummary,
  DEFAULT_PRICE_TABLE,
  reviseTraceSummary,
  SamplingPolicy,
  TraceAssembler,
} from './index';

// The loop the sessionizer app runs, through the public API only.
describe('public API: assemble → summarize → revise', () => {
  it('turns a trace and its late feedback into revision 0 and revision 1', () => {
    const assembler = new TraceAssembler({ rootGraceMs: 1_000, traceEndGraceMs: 0 });
    const sampler = new SamplingPolicy();
    const trace = makeTrace({ seed: 99 });
    trace.records.forEach((r, i) =>
      assembler.ingest(r, { partition: 3, offset: 100n + BigInt(i) }, FIXED_TIME_MS),
    );
    const [closed] = assembler.expire(FIXED_TIME_MS + 1);
    const summary = buildTraceSummary(
      closed,
      { sessionNumber: 1, now: FIXED_TIME_MS + 1, sampler },
      DEFAULT_PRICE_TABLE,
    );
    expect(TraceSummarySchema.parse(summary)).toEqual(summary);
    expect(summary).toMatchObject({ revision: 0, sampled: true, sampling_rule: 'first_session' });
    expect(assembler.committableOffset(3)).toBe(100n + BigInt(trace.records.length));

    const rating = makeFeedbackEvent('rating', { trace_id: trace.trace_id, rating: 'negative' });
    const { late } = assembler.ingest(
      makeEventEnvelope(rating),
      { partition: 3, offset: 200n },
      FIXED_TIME_MS + 60_000,
    );
    const lateEvents = late.flatMap((l): TraceEvent[] =>
      l.record.kind === 'event' ? [l.record.event] : [],
    );
    const revised = reviseTraceSummary(summary, lateEvents)!;
    expect(TraceSummarySchema.parse(revised)).toEqual(revised);
    expect(revised).toMatchObject({
      revision: 1,
      rating: 'negative',
      strong_completion: false,
      sampling_rule: 'failure',
      flags: ['late_revision'],
    });
    expect(reviseTraceSummary(revised, lateEvents)).toBeNull();
  });
});

import {
  makeAlert,
  makeDeadLetter,
  makeEventEnvelope,
  makeFeedbackEvent,
  makeMetricWindow,
  makeSpanEnvelope,
  makeTraceSummary,
} from '../index';
import {
  decodeTopicRecord,
  encodeTopicRecord,
  parseTopicRecord,
  TopicSchemas,
  topicRecordKey,
} from '@agentmon/contracts';
import { ALL_TOPICS, isTopicName, type TopicName, Topics } from '@agentmon/contracts';

const VALID: Record<TopicName, unknown[]> = {
  [Topics.spans]: [makeSpanEnvelope(), makeEventEnvelope(makeFeedbackEvent('rating'))],
  [Topics.traces]: [makeTraceSummary()],
  [Topics.metrics]: [makeMetricWindow()],
  [Topics.alerts]: [makeAlert()],
  [Topics.deadLetter]: [makeDeadLetter()],
};

describe('Topics', () => {
  it('are versioned agentmon topics, one schema each', () => {
    for (const topic of ALL_TOPICS) expect(topic).toMatch(/^agentmon\.[a-z-]+\.v\d+$/);
    expect(Object.keys(TopicSchemas).sort()).toEqual([...ALL_TOPICS].sort());
    expect(isTopicName(Topics.spans)).toBe(true);
    expect(isTopicName(Topics.spans.replace(/v1$/, 'v0'))).toBe(false);
  });
});

describe('parseTopicRecord', () => {
  const cases = ALL_TOPICS.flatMap((topic) => VALID[topic].map((value) => [topic, value] as const));

  it.each(cases)('accepts a valid %s record', (topic, value) => {
    expect(parseTopicRecord(topic, value)).toEqual({ ok: true, value });
  });

  it.each(cases)('round-trips a %s record through encode/decode', (topic, value) => {
    expect(decodeTopicRecord(topic, Buffer.from(encodeTopicRecord(topic, value as never)))).toEqual(
      {
        ok: true,
        value,
      },
    );
  });

  it.each<[TopicName, unknown, string]>([
    [Topics.spans, { ...makeSpanEnvelope(), kind: 'metric' }, 'kind'],
    [Topics.spans, { ...makeSpanEnvelope(), project_id: undefined }, 'project_id'],
    [Topics.spans, makeSpanEnvelope({ end_time: 0 }), 'span.end_time'],
    [Topics.spans, makeSpanEnvelope({ operation: 'think' as never }), 'span.operation'],
    [Topics.spans, { ...makeSpanEnvelope(), extra: 1 }, 'extra'],
    [Topics.traces, makeTraceSummary({ revision: -1 }), 'revision'],
    [Topics.metrics, makeMetricWindow({ completion_rate: 1.5 }), 'completion_rate'],
    [Topics.alerts, makeAlert({ severity: 'page' as never }), 'severity'],
    [Topics.deadLetter, makeDeadLetter({ offset: '-1' }), 'offset'],
    [Topics.traces, makeSpanEnvelope(), 'trace_id'],
  ])('rejects a bad %s record at %s', (topic, value, path) => {
    const result = parseTopicRecord(topic, value);
    expect(!result.ok && result.issues.map((i) => i.path)).toContain(path);
  });
});

describe('decodeTopicRecord', () => {
  it.each([
    ['not JSON', '{nope', /invalid JSON/],
    ['a tombstone', null, /no value/],
  ])('reports %s at the root', (_label, raw, message) => {
    expect(decodeTopicRecord(Topics.spans, raw)).toEqual({
      ok: false,
      issues: [{ path: '', message: expect.stringMatching(message) }],
    });
  });
});

describe('topicRecordKey', () => {
  it('keys spans and events by trace_id, the rest per DESIGN', () => {
    const span = makeSpanEnvelope({ trace_id: 'trace-a' });
    const event = makeEventEnvelope(makeFeedbackEvent('accepted', { trace_id: 'trace-b' }));
    expect(topicRecordKey(Topics.spans, span)).toBe('trace-a');
    expect(topicRecordKey(Topics.spans, event)).toBe('trace-b');
    expect(topicRecordKey(Topics.traces, makeTraceSummary({ trace_id: 'trace-c' }))).toBe(
      'trace-c',
    );
    expect(topicRecordKey(Topics.metrics, makeMetricWindow())).toBe('project-1|traces|all=*');
    expect(
      topicRecordKey(Topics.alerts, makeAlert({ fingerprint: 'fp-1', project_id: 'p1' })),
    ).toBe('p1|completion_rate');
    expect(topicRecordKey(Topics.deadLetter, makeDeadLetter({ key: null }))).toBeNull();
  });
});

import { makeFeedbackEvent, makeSpan } from '../index';
import { IngestBatchSchema } from '@agentmon/contracts';
import { parseWith } from '@agentmon/contracts';

describe('IngestBatchSchema', () => {
  it('accepts spans and events and normalises them', () => {
    const result = parseWith(IngestBatchSchema, {
      spans: [{ ...makeSpan(), start_time: '2025-01-01T00:00:00Z', parent_span_id: undefined }],
    });
    expect(result.ok && result.value).toMatchObject({
      spans: [{ parent_span_id: null }],
      events: [],
    });
  });

  it('names the index and field path of every bad item', () => {
    const good = makeSpan();
    const result = parseWith(IngestBatchSchema, {
      spans: [good, good, good, { ...good, attributes: { input_tokens: -5 } }],
      events: [makeFeedbackEvent('accepted'), { ...makeFeedbackEvent('rating'), rating: 'great' }],
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues.map((i) => i.path)).toEqual([
      'spans[3].attributes.input_tokens',
      'events[1].rating',
    ]);
  });

  it.each([
    ['empty batch', {}, ''],
    ['unknown top-level field', { spans: [makeSpan()], traces: [] }, 'traces'],
    ['spans not an array', { spans: {} }, 'spans'],
  ])('rejects %s', (_label, body, path) => {
    const result = parseWith(IngestBatchSchema, body);
    expect(!result.ok && result.issues.map((i) => i.path)).toContain(path);
  });

  it('caps the batch size', () => {
    const result = parseWith(IngestBatchSchema, { spans: Array(1001).fill(makeSpan()) });
    expect(!result.ok && result.issues[0]).toEqual({
      path: 'spans',
      message: expect.stringMatching(/1000/),
    });
  });
});

import { makeSpan } from '../index';
import { Limits } from '@agentmon/contracts';
import { parseWith } from '@agentmon/contracts';
import { SpanIngestSchema, SpanSchema, StoredSpanSchema } from '@agentmon/contracts';

const T0 = Date.UTC(2025, 0, 1);

/** A minimal ingest payload as an SDK would send it. */
function ingest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    span_id: 'span-1',
    trace_id: 'trace-1',
    operation: 'llm_call',
    start_time: '2025-01-01T00:00:00.000Z',
    end_time: T0 + 250,
    status: 'OK',
    attributes: { model: 'claude-sonnet-4', input_tokens: 10, output_tokens: 5 },
    ...overrides,
  };
}

describe('SpanIngestSchema', () => {
  it('normalises an agent payload to the canonical topic span', () => {
    const result = parseWith(SpanIngestSchema, ingest());
    expect(result).toEqual({
      ok: true,
      value: expect.objectContaining({
        start_time: T0,
        end_time: T0 + 250,
        parent_span_id: null,
        events: [],
      }),
    });
    if (result.ok) expect(SpanSchema.safeParse(result.value).success).toBe(true);
  });

  it.each([
    ['ISO with offset', '2025-01-01T02:00:00+02:00', T0],
    ['ISO with millis', '2025-01-01T00:00:00.123Z', T0 + 123],
    ['epoch ms', T0 + 7, T0 + 7],
  ])('accepts start_time as %s', (_label, start_time, expected) => {
    const result = SpanIngestSchema.safeParse(ingest({ start_time, end_time: T0 + 1000 }));
    expect(result.success && result.data.start_time).toBe(expected);
  });

  it('truncates tool_input to the limit and flags it', () => {
    const result = SpanIngestSchema.parse(
      ingest({
        operation: 'tool_call',
        attributes: { tool_name: 'grep', tool_input: 'x'.repeat(2000) },
      }),
    );
    expect(result.attributes.tool_input).toHaveLength(Limits.toolInputMaxChars);
    expect(result.attributes.tool_input_truncated).toBe(true);
  });

  it('keeps free-form attributes', () => {
    const result = SpanIngestSchema.parse(
      ingest({ attributes: { 'gen_ai.system': 'anthropic', retries: 2 } }),
    );
    expect(result.attributes).toEqual({ 'gen_ai.system': 'anthropic', retries: 2 });
  });

  const manyKeys = Object.fromEntries(
    Array.from({ length: Limits.attributeMaxKeys + 1 }, (_, i) => [`k${i}`, i]),
  );

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['unknown operation', { operation: 'llm-call' }, 'operation', /must be one of/],
    ['end before start', { end_time: T0 - 1 }, 'end_time', /before start_time/],
    [
      'negative tokens',
      { attributes: { input_tokens: -1 } },
      'attributes.input_tokens',
      /negative/,
    ],
    ['NaN tokens', { attributes: { output_tokens: NaN } }, 'attributes.output_tokens', /NaN/],
    [
      'fractional tokens',
      { attributes: { cache_read_tokens: 1.5 } },
      'attributes.cache_read_tokens',
      /integer/,
    ],
    [
      'string tokens',
      { attributes: { input_tokens: '10' } },
      'attributes.input_tokens',
      /expected number/,
    ],
    ['missing span_id', { span_id: undefined }, 'span_id', /expected string/],
    ['empty trace_id', { trace_id: '' }, 'trace_id', /empty/],
    ['trace_id with spaces', { trace_id: 'a b' }, 'trace_id', /may contain only/],
    ['oversize id', { span_id: 'a'.repeat(Limits.idMaxChars + 1) }, 'span_id', /at most 128/],
    ['oversize name', { name: 'n'.repeat(Limits.nameMaxChars + 1) }, 'name', /at most 256/],
    [
      'oversize extra attribute',
      { attributes: { note: 'x'.repeat(Limits.attributeStringMaxChars + 1) } },
      'attributes.note',
      /1024/,
    ],
    ['too many attributes', { attributes: manyKeys }, 'attributes', /at most 64 keys/],
    ['bad attribute key', { attributes: { 'a key': 1 } }, 'attributes["a key"]', /attribute key/],
    [
      'object attribute value',
      { attributes: { nested: { a: 1 } } },
      'attributes.nested',
      /scalar|string/,
    ],
    ['unknown extra field', { colour: 'red' }, 'colour', /unknown field/],
    ['client-set project_id', { project_id: 'p' }, 'project_id', /unknown field/],
    ['epoch seconds', { start_time: T0 / 1000 }, 'start_time', /epoch seconds/],
    ['ISO without timezone', { start_time: '2025-01-01T00:00:00' }, 'start_time', /timezone/],
    ['bad status', { status: 'FAILED' }, 'status', /"OK" or "ERROR"/],
    ['error_type on OK span', { error_type: 'timeout' }, 'error_type', /only allowed/],
    ['unknown error_type', { status: 'ERROR', error_type: 'oops' }, 'error_type', /Invalid option/],
    ['self parent', { parent_span_id: 'span-1' }, 'parent_span_id', /differ/],
    ['event without name', { events: [{ timestamp: T0 }] }, 'events[0].name', /expected string/],
  ])('rejects %s', (_label, overrides, path, message) => {
    const result = parseWith(SpanIngestSchema, ingest(overrides));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toContainEqual({ path, message: expect.stringMatching(message) });
  });
});

describe('SpanSchema (topic shape)', () => {
  it('accepts a factory span', () => {
    expect(SpanSchema.safeParse(makeSpan()).success).toBe(true);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['ISO time (topic is epoch ms only)', { start_time: '2025-01-01T00:00:00Z' }, 'start_time'],
    [
      'untruncated tool_input',
      { attributes: { tool_input: 'x'.repeat(501) } },
      'attributes.tool_input',
    ],
    ['missing parent_span_id', { parent_span_id: undefined }, 'parent_span_id'],
    ['missing events', { events: undefined }, 'events'],
    ['project_id inside the span', { project_id: 'p' }, 'project_id'],
  ])('rejects %s', (_label, overrides, path) => {
    const result = parseWith(SpanSchema, { ...makeSpan(), ...overrides });
    expect(!result.ok && result.issues.map((i) => i.path)).toContain(path);
  });

  it('StoredSpanSchema requires project_id', () => {
    expect(StoredSpanSchema.safeParse({ ...makeSpan(), project_id: 'project-1' }).success).toBe(
      true,
    );
    const result = parseWith(StoredSpanSchema, makeSpan());
    expect(!result.ok && result.issues.map((i) => i.path)).toContain('project_id');
  });
});

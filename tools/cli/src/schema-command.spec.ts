import { makeEventEnvelope, makeSpanEnvelope, makeTraceEndEvent } from '@agentmon/testing';
import { createSchemaCommand, recordJsonSchema, SCHEMA_NAMES } from './schema-command';

/** Runs `agentmon schema <args>` in-process and returns what it printed. */
async function run(...args: string[]): Promise<string> {
  const out: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
  try {
    await createSchemaCommand().exitOverride().parseAsync(args, { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  return out.join('');
}

type Json = Record<string, unknown>;

describe('agentmon schema spans-record', () => {
  it('prints a JSON Schema object naming the span and event fields', async () => {
    const schema = JSON.parse(await run('spans-record')) as Json;
    expect(schema).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      title: expect.stringContaining('agentmon.spans.v1'),
      description: expect.stringContaining('agentmon-api-key'),
    });
    const [spanEnvelope, eventEnvelope] = schema.oneOf as Json[];
    expect(spanEnvelope.required).toEqual(['kind', 'project_id', 'received_at', 'span']);
    const span = (spanEnvelope.properties as Json).span as Json;
    expect(Object.keys(span.properties as Json)).toEqual(
      expect.arrayContaining([
        'span_id',
        'trace_id',
        'parent_span_id',
        'operation',
        'start_time',
        'end_time',
        'status',
        'error_message',
        'attributes',
        'events',
      ]),
    );
    const attributes = (span.properties as Json).attributes as Json;
    expect((attributes.properties as Json).input_tokens).toEqual({
      type: 'integer',
      minimum: 0,
      maximum: 10_000_000,
    });
    expect((eventEnvelope.properties as Json).event).toHaveProperty('oneOf');
  });

  it('requires no span field that a valid contract record lacks', () => {
    // The factories' records are valid contract records: every required field the schema
    // names is present in them (a cheap check that the schema is the contract's).
    const schema = recordJsonSchema('spans-record');
    const [spanEnvelope] = schema.oneOf as Json[];
    const required = ((spanEnvelope.properties as Json).span as Json).required as string[];
    const record = makeSpanEnvelope();
    for (const field of required) expect(record.span).toHaveProperty(field);
    expect(makeEventEnvelope(makeTraceEndEvent())).toHaveProperty('event.ended_at');
  });

  it('knows every topic record and refuses an unknown name', async () => {
    for (const name of SCHEMA_NAMES) {
      expect(recordJsonSchema(name)).toMatchObject({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        title: expect.stringContaining(name),
      });
    }
    await expect(run('nope')).rejects.toThrow(/must be one of/);
  });
});

import {
  AlertSchema,
  DeadLetterSchema,
  IngestBatchSchema,
  isWellFormedString,
  Limits,
  MetricWindowSchema,
  parseWith,
  setContractClock,
  SpanSchema,
  SpansTopicRecordSchema,
  TraceEventSchema,
  TraceSummarySchema,
  type FeedbackEventType,
  toTraceContribution,
} from '@agentmon/contracts';
import { z } from 'zod';
import {
  FIXED_TIME_MS,
  makeAlert,
  makeDeadLetter,
  makeEventEnvelope,
  makeFeedbackEvent,
  makeMetricWindow,
  makeSpan,
  makeSpanEnvelope,
  makeTraceEndEvent,
  makeTraceStartEvent,
  makeTraceSummary,
} from '../index';

const LONE = '\ud800';

/** Every string-typed leaf path a schema accepts (JSON Schema, input side): `a.b[].c`, `m.*`. */
function stringPaths(schema: z.ZodType): Set<string> {
  const paths = new Set<string>();
  const walk = (node: unknown, path: string): void => {
    if (typeof node !== 'object' || node === null) return;
    const n = node as Record<string, unknown>;
    if (n.type === 'string' && n.enum === undefined && n.const === undefined) paths.add(path);
    for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
      if (Array.isArray(n[key])) for (const alt of n[key] as unknown[]) walk(alt, path);
    }
    if (typeof n.properties === 'object' && n.properties !== null) {
      for (const [k, v] of Object.entries(n.properties)) walk(v, path === '' ? k : `${path}.${k}`);
    }
    if (typeof n.additionalProperties === 'object') walk(n.additionalProperties, `${path}.*`);
    if (n.items !== undefined) walk(n.items, `${path}[]`);
  };
  walk(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }), '');
  return paths;
}

type Leaf = { path: string; concrete: (string | number)[] };

/** Every string leaf of a value, with the generic path (as stringPaths) and the concrete one. */
function stringLeaves(value: unknown, known: Set<string>): Leaf[] {
  const leaves: Leaf[] = [];
  const walk = (v: unknown, path: string, concrete: (string | number)[]): void => {
    if (typeof v === 'string') leaves.push({ path, concrete });
    else if (Array.isArray(v)) v.forEach((item, i) => walk(item, `${path}[]`, [...concrete, i]));
    else if (typeof v === 'object' && v !== null) {
      for (const [k, item] of Object.entries(v)) {
        const named = path === '' ? k : `${path}.${k}`;
        const generic = known.has(named) || !known.has(`${path}.*`) ? named : `${path}.*`;
        walk(item, generic, [...concrete, k]);
      }
    }
  };
  walk(value, '', []);
  return leaves;
}

function withLoneSurrogate(value: unknown, at: (string | number)[]): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let node = copy;
  for (const key of at.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = at[at.length - 1];
  node[last] = `${String(node[last]).slice(0, 4)}${LONE}`;
  return copy;
}

function everyStringWellFormed(value: unknown): boolean {
  if (typeof value === 'string') return isWellFormedString(value);
  if (Array.isArray(value)) return value.every(everyStringWellFormed);
  if (typeof value === 'object' && value !== null) {
    return Object.values(value).every(everyStringWellFormed);
  }
  return true;
}

// Records with every optional string filled in, so together they reach every string field.
const richSpan = makeSpan({
  parent_span_id: 'span-parent',
  status: 'ERROR',
  error_type: 'tool_failure',
  operation: 'tool_call',
  error_message: 'upstream said no',
  attributes: {
    model: 'claude-sonnet-4',
    stop_reason: 'end_turn',
    tool_name: 'search',
    tool_input: '{"q":"weather"}',
    custom_tag: 'blue',
  },
  events: [{ name: 'retry', timestamp: FIXED_TIME_MS + 10, attributes: { why: 'timeout' } }],
});
const FEEDBACK: { [K in FeedbackEventType]?: object } = {
  rating: { comment: 'meh' },
  user_correction: { correction: 'no' },
  escalation: { reason: 'human please' },
  safety_flag: { category: 'jailbreak', reason: 'probe' },
  hallucination_caught: { detail: 'made up' },
};
const events = [
  makeTraceStartEvent(),
  makeTraceEndEvent({ context: makeTraceStartEvent().context }),
  ...Object.entries(FEEDBACK).map(([type, extra]) =>
    makeFeedbackEvent(type as FeedbackEventType, extra as never),
  ),
];

const CASES: [string, z.ZodType, unknown[]][] = [
  [
    'spans-topic record',
    SpansTopicRecordSchema,
    [makeSpanEnvelope(richSpan), ...events.map((e) => makeEventEnvelope(e))],
  ],
  ['span', SpanSchema, [richSpan]],
  ['trace event', TraceEventSchema, events],
  [
    'trace summary',
    TraceSummarySchema,
    [
      makeTraceSummary(),
      makeTraceSummary({
        revision: 1,
        previous_contribution: toTraceContribution(makeTraceSummary()),
      }),
    ],
  ],
  [
    'metric window',
    MetricWindowSchema,
    [makeMetricWindow({ slice: { dimension: 'task_type', value: 'qa' } })],
  ],
  ['alert', AlertSchema, [makeAlert()]],
  ['dead letter', DeadLetterSchema, [makeDeadLetter({ consumer_group: 'agentmon-sessionizer' })]],
  [
    'gateway ingest batch',
    IngestBatchSchema,
    [{ spans: [{ ...richSpan, parent_span_id: 'span-parent' }], events }],
  ],
];

describe('contracts: only well-formed strings get through', () => {
  it.each(CASES)(
    '%s: the fixtures reach every string field of the schema',
    (_name, schema, values) => {
      const declared = stringPaths(schema);
      const reached = new Set(values.flatMap((v) => stringLeaves(v, declared).map((l) => l.path)));
      expect([...declared].filter((p) => !reached.has(p)).sort()).toEqual([]);
    },
  );

  it.each(CASES)(
    '%s: a lone surrogate in any string is repaired or rejected there',
    (_name, schema, values) => {
      const declared = stringPaths(schema);
      let repaired = 0;
      for (const value of values) {
        expect(parseWith(schema, value).ok).toBe(true);
        for (const leaf of stringLeaves(value, declared)) {
          const result = parseWith(schema, withLoneSurrogate(value, leaf.concrete));
          if (result.ok) {
            expect(everyStringWellFormed(result.value)).toBe(true);
            repaired += 1;
          } else {
            // Only restricted strings (ids, attribute keys, offsets) reject, naming the field.
            const where = leaf.concrete.join('.');
            expect(result.issues.map((i) => i.path.replace(/\[(\d+)\]/g, '.$1'))).toContain(where);
          }
        }
      }
      expect(repaired).toBeGreaterThan(0);
    },
  );

  it('repairs to U+FFFD and keeps the rest of the text', () => {
    const result = parseWith(TraceEventSchema, makeTraceEndEvent({ final_output: `a${LONE}b` }));
    expect(result.ok && result.value.type === 'trace_end' && result.value.final_output).toBe(
      'a\ufffdb',
    );
  });
});

describe('contracts: implausible times and token counts are rejected with the field named', () => {
  let restore: () => void;
  beforeAll(() => {
    restore = setContractClock(() => FIXED_TIME_MS);
  });
  afterAll(() => restore());

  const DAY = 86_400_000;
  it.each<[string, unknown, string]>([
    [
      'end_time 8640000000000000',
      makeSpanEnvelope({ end_time: 8_640_000_000_000_000 }),
      'span.end_time',
    ],
    [
      'start_time before 2000',
      makeSpanEnvelope({ start_time: Date.UTC(1999, 11, 31) }),
      'span.start_time',
    ],
    [
      'end_time a day and 1 ms ahead',
      makeSpanEnvelope({ end_time: FIXED_TIME_MS + DAY + 1 }),
      'span.end_time',
    ],
    [
      'received_at in the future',
      makeSpanEnvelope({}, { received_at: FIXED_TIME_MS + 2 * DAY }),
      'received_at',
    ],
    [
      'input_tokens beyond the ceiling',
      makeSpanEnvelope({ attributes: { input_tokens: Limits.tokensPerSpanMax + 1 } }),
      'span.attributes.input_tokens',
    ],
    [
      'cache_read_tokens beyond the ceiling',
      makeSpanEnvelope({ attributes: { cache_read_tokens: 1e12 } }),
      'span.attributes.cache_read_tokens',
    ],
  ])('%s', (_name, value, path) => {
    const result = parseWith(SpansTopicRecordSchema, value);
    expect(!result.ok && result.issues.map((i) => i.path)).toContain(path);
  });

  it('accepts a day of clock skew and the ceiling itself', () => {
    const ok = makeSpanEnvelope(
      {
        start_time: FIXED_TIME_MS + DAY - 10,
        end_time: FIXED_TIME_MS + DAY,
        attributes: { output_tokens: Limits.tokensPerSpanMax },
      },
      { received_at: FIXED_TIME_MS + DAY },
    );
    expect(parseWith(SpansTopicRecordSchema, ok).ok).toBe(true);
  });

  it('rejects a future time at the gateway too (ISO input)', () => {
    const result = parseWith(IngestBatchSchema, {
      spans: [{ ...makeSpan(), end_time: new Date(FIXED_TIME_MS + 3 * DAY).toISOString() }],
    });
    expect(!result.ok && result.issues.map((i) => i.path)).toContain('spans[0].end_time');
  });
});

import * as contracts from '@agentmon/contracts';
import {
  ALL_TOPICS,
  decodeTopicRecord,
  IngestBatchSchema,
  parseTopicRecord,
  setContractClock,
  SpanIngestSchema,
  SpanSchema,
  TopicSchemas,
  topicParser,
  TraceEventIngestSchema,
  Topics,
  type TopicName,
} from '@agentmon/contracts';
import { isDeepStrictEqual } from 'node:util';
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
import {
  compareCanonicalItem,
  compareIngestBatch,
  compareWithZod,
  zodResult,
  type Divergence,
} from './compiled-equivalence';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const json = <T>(value: T): Json => JSON.parse(JSON.stringify(value)) as Json;
const jsonObject = <T>(value: T) => json(value) as { [key: string]: Json };

const EMOJI = '\u{1F600}'; // two UTF-16 units, one code point
const HOSTILE_STRINGS = [
  '',
  ' ',
  'x',
  '\ud800',
  'a\udc00b',
  `${EMOJI}\ud83d`,
  '\u0000',
  '\u202e',
  '__proto__',
  '2025-01-01T00:00:00Z',
  // Just past the limits (ids 128, names 256, tool input 500, attributes 1024), in UTF-16 units
  // and in code points (zod counts code points: a pair is one).
  ...[128, 256, 500, 1024].flatMap((n) => [
    'x'.repeat(n + 1),
    EMOJI.repeat(n),
    EMOJI.repeat(n + 1),
  ]),
];
const HOSTILE_VALUES: Json[] = [
  null,
  true,
  false,
  0,
  -0,
  -1,
  1,
  1.5,
  0.1,
  1e21,
  2 ** 53,
  -(2 ** 53),
  FIXED_TIME_MS,
  FIXED_TIME_MS + 2 * 86_400_000,
  1_700_000_000,
  [],
  [1],
  {},
  { a: 1 },
  ...HOSTILE_STRINGS,
];

/** Every path into `value` (objects and arrays), root first. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

/** Sets an own enumerable property, as JSON.parse does (also for "__proto__"). */
function setOwn(target: object, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

type Container = Record<string | number, Json>;
type Path = (string | number)[];
const at = (value: Json, path: Path): Json =>
  path.reduce<Json>((node, key) => (node as Container)[key]!, value);

function mutate(base: Json, path: Path, change: (parent: Container, key: string | number) => void) {
  const copy = json(base);
  change(at(copy, path.slice(0, -1)) as Container, path[path.length - 1]!);
  return copy;
}

/** The base record, then every path replaced by every hostile value, deleted, or given extras. */
function* corpus(base: Json): Generator<unknown> {
  yield base;
  for (const value of HOSTILE_VALUES) yield value;
  for (const path of paths(base)) {
    if (path.length > 0) {
      for (const value of HOSTILE_VALUES) yield mutate(base, path, (p, k) => setOwn(p, k, value));
      yield mutate(base, path, (p, k) =>
        Array.isArray(p) ? p.splice(k as number, 1) : delete p[k],
      );
    }
    const node = at(base, path);
    if (node !== null && typeof node === 'object' && !Array.isArray(node)) {
      for (const key of ['colour', '__proto__', 'constructor', 'x\ud800', 'a b', ''])
        yield mutate(base, [...path, key], (p, k) => setOwn(p, k, 'v'));
    }
  }
}

const richSpan = makeSpan({
  parent_span_id: 'span-root',
  operation: 'tool_call',
  status: 'ERROR',
  error_message: 'tool failed',
  error_type: 'tool_failure',
  attributes: {
    tool_name: 'grep',
    tool_input: 'x'.repeat(500),
    tool_input_truncated: true,
    tool_output_length: 12,
    tool_cost_usd: 0.01,
    'gen_ai.system': 'anthropic',
    retries: 2,
    cached: false,
  },
  events: [{ name: 'retry', timestamp: FIXED_TIME_MS + 10, attributes: { attempt: 1, ok: true } }],
});
const FEEDBACK = [
  'rating',
  'user_correction',
  'escalation',
  'abandonment',
  'safety_flag',
  'output_copied',
  'follow_up',
  'hallucination_caught',
  'accepted',
] as const;
const EVENTS = [
  makeTraceStartEvent(),
  makeTraceEndEvent(),
  makeTraceEndEvent({ final_output: null, timed_out: true, context: { task_type: 't' } }),
  ...FEEDBACK.map((type) => makeFeedbackEvent(type)),
];

const BASES: Record<TopicName, Json[]> = {
  [Topics.spans]: [
    json(makeSpanEnvelope()),
    json(makeSpanEnvelope(richSpan)),
    ...EVENTS.map((event) => json(makeEventEnvelope(event))),
  ],
  [Topics.traces]: [
    json(makeTraceSummary()),
    json({
      ...makeTraceSummary({ revision: 1 }),
      previous_contribution: contracts.toTraceContribution(makeTraceSummary()),
    }),
  ],
  [Topics.metrics]: [
    json(makeMetricWindow({ traffic_share: 1, traffic_mix: { task_type: { a: 3 } } })),
    json(makeMetricWindow({ slice: { dimension: 'platform', value: 'web' } })),
  ],
  [Topics.alerts]: [json(makeAlert())],
  [Topics.deadLetter]: [json(makeDeadLetter())],
};

let restoreClock: () => void;
beforeAll(() => {
  restoreClock = setContractClock(() => FIXED_TIME_MS + 3_600_000);
});
afterAll(() => restoreClock());

describe('compiled topic parsers', () => {
  it('compile for every topic, and take the fast path for every factory record', () => {
    for (const topic of ALL_TOPICS) {
      expect({ topic, unsupported: topicParser(topic).unsupported }).toEqual({
        topic,
        unsupported: null,
      });
      for (const base of BASES[topic]) expect(topicParser(topic).isCanonical(base)).toBe(true);
    }
  });

  it.each(ALL_TOPICS.flatMap((topic) => BASES[topic].map((base, i) => [topic, i, base] as const)))(
    'agree with zod on %s record %i under every mutation (acceptance, output, issues)',
    (topic, _i, base) => {
      const schema: z.ZodType = TopicSchemas[topic];
      const divergences: Divergence[] = [];
      let accepted = 0;
      let total = 0;
      for (const value of corpus(base)) {
        const zod = zodResult(contracts, schema, value);
        divergences.push(...compareWithZod(topic, topicParser(topic), value, zod));
        // decodeTopicRecord (the runtime's decode) on the JSON text: zod's verdict exactly.
        const text = JSON.stringify(value);
        if (
          total % 5 === 0 &&
          !isDeepStrictEqual(
            decodeTopicRecord(topic, text),
            parseTopicRecord(topic, JSON.parse(text)),
          )
        )
          divergences.push({ schema: topic, value, problem: 'decodeTopicRecord differs' });
        total += 1;
        if (zod.ok) accepted += 1;
      }
      expect(divergences.slice(0, 5)).toEqual([]);
      // The corpus really has both sides.
      expect(accepted).toBeGreaterThan(5);
      expect(total - accepted).toBeGreaterThan(100);
    },
  );

  it('reject a lone surrogate in the compiled check, so zod repairs it', () => {
    const value = json(makeSpanEnvelope({ name: 'bad\ud800' }));
    expect(topicParser(Topics.spans).isCanonical(value)).toBe(false);
    const parsed = decodeTopicRecord(Topics.spans, JSON.stringify(value));
    expect(parsed.ok && parsed.value.kind === 'span' && parsed.value.span.name).toBe('bad\ufffd');
  });

  it('apply the contract clock to the future-time refinement', () => {
    const value = json(makeSpanEnvelope({ end_time: FIXED_TIME_MS + 2 * 86_400_000 }));
    expect(topicParser(Topics.spans).isCanonical(value)).toBe(false);
    const undo = setContractClock(() => FIXED_TIME_MS + 3 * 86_400_000);
    try {
      expect(topicParser(Topics.spans).isCanonical(value)).toBe(true);
    } finally {
      undo();
    }
  });
});

describe('compileParser', () => {
  it('stays zod-only (and says why) for schemas that transform', () => {
    const parser = contracts.compileParser(SpanIngestSchema);
    expect(parser.compiled).toBe(false);
    expect(parser.unsupported).toMatch(/Transforms/);
    expect(parser.parse({})).toEqual(zodResult(contracts, SpanIngestSchema, {}));
  });

  it('stays zod-only for an overwrite other than the well-formed repair, and for defaults', () => {
    expect(contracts.compileParser(z.string().overwrite((s) => s.trim())).compiled).toBe(false);
    expect(contracts.compileParser(z.strictObject({ a: z.number().default(1) })).compiled).toBe(
      false,
    );
  });
});

describe('parseIngestBatch', () => {
  const canonical = contracts.ingestItemChecks();
  const isoSpan: Json = { ...jsonObject(makeSpan()), start_time: '2025-01-01T00:00:00Z' };
  const bareSpan = jsonObject(makeSpan());
  delete bareSpan.attributes;
  delete bareSpan.events;
  delete bareSpan.parent_span_id;
  const longInput = json(makeSpan({ attributes: { tool_input: 'y'.repeat(700) } }));
  const bodies: Json[] = [
    { spans: [json(makeSpan()), json(richSpan), isoSpan, bareSpan, longInput] },
    {
      events: [
        ...EVENTS.map((event) => json(event)),
        { ...jsonObject(makeTraceEndEvent()), ended_at: undefined },
        json(makeTraceEndEvent({ final_output: 'z'.repeat(9000) })),
      ].map(json),
    },
  ];

  it.each(bodies.map((body, i) => [i, body] as const))(
    'agrees with IngestBatchSchema on body %i under every mutation',
    (_i, body) => {
      const divergences: Divergence[] = [];
      let accepted = 0;
      let total = 0;
      for (const value of corpus(body)) {
        const zod = zodResult(contracts, IngestBatchSchema, value);
        divergences.push(...compareIngestBatch(contracts, value, zod));
        total += 1;
        if (zod.ok) accepted += 1;
      }
      expect(divergences.slice(0, 5)).toEqual([]);
      expect(accepted).toBeGreaterThan(20);
      expect(total - accepted).toBeGreaterThan(100);
    },
  );

  it('takes the canonical path only where the ingest schema outputs the item unchanged', () => {
    const divergences: Divergence[] = [];
    for (const base of [json(makeSpan()), json(richSpan), isoSpan, bareSpan])
      for (const value of corpus(base)) {
        const zod = zodResult(contracts, SpanIngestSchema, value);
        divergences.push(...compareCanonicalItem('SpanIngestSchema', canonical.span, value, zod));
      }
    for (const base of EVENTS.map((event) => json(event)))
      for (const value of corpus(base)) {
        const zod = zodResult(contracts, TraceEventIngestSchema, value);
        divergences.push(
          ...compareCanonicalItem('TraceEventIngestSchema', canonical.event, value, zod),
        );
      }
    expect(divergences.slice(0, 5)).toEqual([]);
  });

  it('uses the canonical check for what the SDK sends', () => {
    expect(canonical.span(json(makeSpan()))).toBe(true);
    expect(canonical.span(json(richSpan))).toBe(true);
    expect(canonical.span(isoSpan)).toBe(false);
    expect(canonical.event(json(makeTraceEndEvent()))).toBe(true);
    // Within the topic schema's 500 characters (code points), but the ingest cuts 500 units.
    const emojiInput = json(makeSpan({ attributes: { tool_input: '\u{1F600}'.repeat(300) } }));
    expect(contracts.compileParser(SpanSchema).isCanonical(emojiInput)).toBe(true);
    expect(canonical.span(emojiInput)).toBe(false);
  });
});

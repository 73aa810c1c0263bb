import { makeAlert, makeDeadLetter, makeMetricWindow, makeTraceSummary } from '../index';
import type { z } from 'zod';
import { AlertSchema } from '@agentmon/contracts';
import { DeadLetterSchema } from '@agentmon/contracts';
import { Limits } from '@agentmon/contracts';
import { metricSeriesKey } from '@agentmon/contracts';
import { MetricWindowSchema } from '@agentmon/contracts';
import { parseWith } from '@agentmon/contracts';
import { TraceSummarySchema } from '@agentmon/contracts';

// One table for the derived records: each row is (schema, invalid record, field path it names).
const INVALID: [string, z.ZodType, unknown, string][] = [
  [
    'summary: negative tokens',
    TraceSummarySchema,
    makeTraceSummary({ input_tokens: -1 }),
    'input_tokens',
  ],
  ['summary: NaN cost', TraceSummarySchema, makeTraceSummary({ cost_usd: NaN }), 'cost_usd'],
  [
    'summary: ended before started',
    TraceSummarySchema,
    makeTraceSummary({ started_at: Date.UTC(2025, 0, 2), ended_at: Date.UTC(2025, 0, 1) }),
    'ended_at',
  ],
  [
    'summary: wrong duration',
    TraceSummarySchema,
    makeTraceSummary({ duration_ms: 1 }),
    'duration_ms',
  ],
  [
    'summary: sampled with unsampled rule',
    TraceSummarySchema,
    makeTraceSummary({ sampled: true }),
    'sampling_rule',
  ],
  [
    'summary: strong completion without completion',
    TraceSummarySchema,
    makeTraceSummary({ completed: false }),
    'strong_completion',
  ],
  [
    'summary: more tool errors than calls',
    TraceSummarySchema,
    makeTraceSummary({ tool_error_count: 5 }),
    'tool_error_count',
  ],
  [
    'summary: missing error type count',
    TraceSummarySchema,
    makeTraceSummary({ error_types: { tool_failure: 1 } as never }),
    'error_types.timeout',
  ],
  [
    'summary: unknown closed_reason',
    TraceSummarySchema,
    makeTraceSummary({ closed_reason: 'eof' as never }),
    'closed_reason',
  ],
  [
    'summary: unknown flag',
    TraceSummarySchema,
    makeTraceSummary({ flags: ['odd' as never] }),
    'flags[0]',
  ],
  [
    'summary: oversize final_output',
    TraceSummarySchema,
    makeTraceSummary({ final_output: 'x'.repeat(Limits.finalOutputMaxChars + 1) }),
    'final_output',
  ],
  [
    'summary: missing trace_id',
    TraceSummarySchema,
    { ...makeTraceSummary(), trace_id: undefined },
    'trace_id',
  ],
  [
    'summary: unknown extra field',
    TraceSummarySchema,
    { ...makeTraceSummary(), score: 1 },
    'score',
  ],
  ['window: rate above 1', MetricWindowSchema, makeMetricWindow({ error_rate: 1.2 }), 'error_rate'],
  ['window: end mismatch', MetricWindowSchema, makeMetricWindow({ window_end: 0 }), 'window_end'],
  [
    'window: end not start + size',
    MetricWindowSchema,
    { ...makeMetricWindow(), window_size_ms: 30_000 },
    'window_end',
  ],
  [
    'window: slice value for "all"',
    MetricWindowSchema,
    makeMetricWindow({ slice: { dimension: 'all', value: 'web' } }),
    'slice.value',
  ],
  [
    'window: unknown slice dimension',
    MetricWindowSchema,
    makeMetricWindow({ slice: { dimension: 'country' as never, value: 'fr' } }),
    'slice.dimension',
  ],
  [
    'window: more completed than traces',
    MetricWindowSchema,
    makeMetricWindow({ completed_count: 101 }),
    'completed_count',
  ],
  [
    'window: fractional count',
    MetricWindowSchema,
    makeMetricWindow({ trace_count: 1.5 }),
    'trace_count',
  ],
  ['alert: unknown state', AlertSchema, makeAlert({ state: 'pending' as never }), 'state'],
  ['alert: unknown metric', AlertSchema, makeAlert({ metric: 'vibes' as never }), 'metric'],
  ['alert: empty message', AlertSchema, makeAlert({ message: '' }), 'message'],
  [
    'alert: oversize message',
    AlertSchema,
    makeAlert({ message: 'x'.repeat(Limits.alertMessageMaxChars + 1) }),
    'message',
  ],
  [
    'alert: missing fingerprint',
    AlertSchema,
    { ...makeAlert(), fingerprint: undefined },
    'fingerprint',
  ],
  [
    'dead letter: negative partition',
    DeadLetterSchema,
    makeDeadLetter({ partition: -1 }),
    'partition',
  ],
  [
    'dead letter: unknown encoding',
    DeadLetterSchema,
    makeDeadLetter({
      value: { encoding: 'hex' as never, data: '00', truncated: false, size_bytes: 1 },
    }),
    'value.encoding',
  ],
  ['dead letter: zero attempts', DeadLetterSchema, makeDeadLetter({ attempts: 0 }), 'attempts'],
];

describe('derived record schemas', () => {
  it.each<[string, z.ZodType, unknown]>([
    ['trace summary', TraceSummarySchema, makeTraceSummary()],
    [
      'unsampled-null summary',
      TraceSummarySchema,
      makeTraceSummary({ session_id: null, task_type: null, query_length: null }),
    ],
    [
      'sampled failure summary',
      TraceSummarySchema,
      makeTraceSummary({
        sampled: true,
        sampling_rule: 'failure',
        completed: false,
        strong_completion: false,
      }),
    ],
    ['metric window', MetricWindowSchema, makeMetricWindow()],
    [
      'empty metric window',
      MetricWindowSchema,
      makeMetricWindow({
        trace_count: 0,
        completed_count: 0,
        strong_completed_count: 0,
        completion_rate: null,
        latency_p95_ms: null,
      }),
    ],
    [
      'sliced metric window',
      MetricWindowSchema,
      makeMetricWindow({ slice: { dimension: 'platform', value: 'ios' } }),
    ],
    ['firing alert', AlertSchema, makeAlert()],
    [
      'resolved alert without baseline',
      AlertSchema,
      makeAlert({ state: 'resolved', baseline: null }),
    ],
    ['dead letter', DeadLetterSchema, makeDeadLetter()],
    ['tombstone dead letter', DeadLetterSchema, makeDeadLetter({ value: null, key: null })],
  ])('accepts a %s', (_label, schema, value) => {
    expect(parseWith(schema, value)).toEqual({ ok: true, value });
  });

  it.each(INVALID)('rejects %s', (_label, schema, value, path) => {
    const result = parseWith(schema, value);
    expect(!result.ok && result.issues.map((i) => i.path)).toContain(path);
  });
});

describe('metricSeriesKey', () => {
  it('encodes free-text slice values so the separator stays unambiguous', () => {
    expect(
      metricSeriesKey({
        project_id: 'p',
        metric_group: 'traces',
        slice: { dimension: 'task_type', value: 'a|b c' },
      }),
    ).toBe('p|traces|task_type=a%7Cb%20c');
  });
});

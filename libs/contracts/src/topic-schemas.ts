import type { z } from 'zod';
import { AlertSchema } from './alert.schema';
import { compileParser, type CompiledParser } from './compiled-validator';
import { DeadLetterSchema } from './dead-letter.schema';
import { metricSeriesKey } from './metric-series-key';
import { MetricWindowSchema } from './metric-window.schema';
import { formatZodIssues } from './format-zod-issues';
import type { ParseResult } from './parse-result';
import { SpansTopicRecordSchema } from './spans-topic-record.schema';
import { TraceSummarySchema } from './trace-summary.schema';
import { Topics, type TopicName } from './topics';

/** The value schema of every topic. */
export const TopicSchemas = {
  [Topics.spans]: SpansTopicRecordSchema,
  [Topics.traces]: TraceSummarySchema,
  [Topics.metrics]: MetricWindowSchema,
  [Topics.alerts]: AlertSchema,
  [Topics.deadLetter]: DeadLetterSchema,
} as const satisfies Record<TopicName, z.ZodType>;

export type TopicRecord<T extends TopicName> = z.output<(typeof TopicSchemas)[T]>;

/** Validates an already JSON-decoded value against its topic's schema. */
export function parseTopicRecord<T extends TopicName>(
  topic: T,
  value: unknown,
): ParseResult<TopicRecord<T>> {
  const schema: z.ZodType = TopicSchemas[topic];
  const result = schema.safeParse(value);
  return result.success
    ? { ok: true, value: result.data as TopicRecord<T> }
    : { ok: false, issues: formatZodIssues(result.error) };
}

const compiledParsers = new Map<TopicName, CompiledParser<unknown>>();

/**
 * The topic's compiled parser (see compileParser), built on first use and kept: a compiled check
 * generated from the topic's zod schema, falling back to zod when the check fails.
 */
export function topicParser<T extends TopicName>(topic: T): CompiledParser<TopicRecord<T>> {
  let parser = compiledParsers.get(topic);
  if (parser === undefined) {
    const schema: z.ZodType = TopicSchemas[topic];
    if (schema === undefined) throw new Error(`unknown topic ${String(topic)}`);
    parser = compileParser(schema);
    compiledParsers.set(topic, parser);
  }
  return parser as CompiledParser<TopicRecord<T>>;
}

/**
 * Decodes a raw Kafka value (JSON in UTF-8) and validates it; never throws. A valid, canonical
 * record passes the compiled check and is returned as parsed; anything else goes through zod, so
 * issues and repairs are exactly parseTopicRecord's.
 */
export function decodeTopicRecord<T extends TopicName>(
  topic: T,
  raw: Uint8Array | string | null | undefined,
): ParseResult<TopicRecord<T>> {
  if (raw === null || raw === undefined) {
    return { ok: false, issues: [{ path: '', message: 'record has no value' }] };
  }
  let value: unknown;
  try {
    value = JSON.parse(typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8'));
  } catch (err) {
    return {
      ok: false,
      issues: [
        { path: '', message: `invalid JSON: ${err instanceof Error ? err.message : String(err)}` },
      ],
    };
  }
  return topicParser(topic).parse(value);
}

/** Serialises a record for its topic. Validate first (parseTopicRecord) if it came from outside. */
export function encodeTopicRecord<T extends TopicName>(_topic: T, record: TopicRecord<T>): string {
  return JSON.stringify(record);
}

/**
 * Alerts are keyed by project and metric, a coarser key than the fingerprint (which names
 * project, metric, slice and rule): one notifier instance then sees every slice of a metric and
 * can group them into one message, and each fingerprint's changes still arrive in order.
 */
export function alertGroupKey(alert: { project_id: string; metric: string }): string {
  return `${alert.project_id}|${alert.metric}`;
}

/** The Kafka key each topic is partitioned by (DESIGN's topic table; alerts: see alertGroupKey). */
export function topicRecordKey<T extends TopicName>(
  topic: T,
  record: TopicRecord<T>,
): string | null {
  switch (topic) {
    case Topics.spans: {
      const r = record as TopicRecord<typeof Topics.spans>;
      return r.kind === 'span' ? r.span.trace_id : r.event.trace_id;
    }
    case Topics.traces:
      return (record as TopicRecord<typeof Topics.traces>).trace_id;
    case Topics.metrics:
      return metricSeriesKey(record as TopicRecord<typeof Topics.metrics>);
    case Topics.alerts:
      return alertGroupKey(record as TopicRecord<typeof Topics.alerts>);
    case Topics.deadLetter:
      return (record as TopicRecord<typeof Topics.deadLetter>).key;
    default:
      throw new Error(`unknown topic ${String(topic)}`);
  }
}

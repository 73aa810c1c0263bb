import { z } from 'zod';
import { boundedString, nonEmptyBoundedString } from './bounded-string';
import { Limits } from './limits';
import { TimestampMsSchema } from './timestamp.schema';

export const DeadLetterReasonSchema = z.enum([
  /** The value was not JSON. */
  'invalid_json',
  /** The value is not in its topic's binary encoding (e.g. not an OTLP protobuf request). */
  'undecodable',
  /** JSON, but it does not match the topic's schema; see `issues`. */
  'schema_validation',
  /** Valid, but processing threw repeatedly (poison record). */
  'processing_error',
  /** Valid, but a sink (ClickHouse, Kafka, Redis) refused what it became, for good. */
  'sink_rejected',
  /** Neither the gateway's signature nor a valid producer API key (spans topic). */
  'unauthenticated',
  /** The Kafka key is not the record's partitioning key (for spans: its trace_id). */
  'wrong_key',
]);
export type DeadLetterReason = z.infer<typeof DeadLetterReasonSchema>;

/** The original bytes: utf8 when they decode as UTF-8, otherwise base64; capped in size. */
export const DeadLetterValueSchema = z.strictObject({
  encoding: z.enum(['utf8', 'base64']),
  data: boundedString(Limits.deadLetterValueMaxChars),
  /** The original was longer than the cap and `data` holds only its beginning. */
  truncated: z.boolean(),
  size_bytes: z.number().int().nonnegative(),
});
export type DeadLetterValue = z.infer<typeof DeadLetterValueSchema>;

export const DeadLetterSchema = z.strictObject({
  /** Kafka's own limit on topic names is 249 characters. */
  source_topic: nonEmptyBoundedString(249),
  partition: z.number().int().nonnegative(),
  /** Kafka offsets are int64, so they travel as decimal strings. */
  offset: z.string().regex(/^\d{1,19}$/, { error: 'must be a decimal offset' }),
  key: boundedString(Limits.deadLetterReasonMaxChars).nullable(),
  /** null for a tombstone (a record with no value). */
  value: DeadLetterValueSchema.nullable(),
  reason: DeadLetterReasonSchema,
  message: boundedString(Limits.deadLetterReasonMaxChars),
  issues: z
    .array(
      z.strictObject({
        path: boundedString(Limits.deadLetterReasonMaxChars),
        message: boundedString(Limits.deadLetterReasonMaxChars),
      }),
    )
    .max(Limits.deadLetterIssuesMax),
  failed_at: TimestampMsSchema,
  /** The app that gave up on the record, e.g. "sessionizer". */
  consumer: nonEmptyBoundedString(Limits.idMaxChars),
  consumer_group: nonEmptyBoundedString(Limits.nameMaxChars).optional(),
  attempts: z.number().int().min(1),
});
export type DeadLetter = z.infer<typeof DeadLetterSchema>;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Encodes a record's original value for the dead-letter envelope without ever throwing. */
export function encodeDeadLetterValue(
  raw: Uint8Array | string | null | undefined,
): DeadLetterValue | null {
  if (raw === null || raw === undefined) return null;
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : Buffer.from(raw);
  let text: string | null = null;
  try {
    text = utf8.decode(bytes);
  } catch {
    text = null;
  }
  const max = Limits.deadLetterValueMaxChars;
  if (text !== null) {
    return {
      encoding: 'utf8',
      data: text.length > max ? text.slice(0, max) : text,
      truncated: text.length > max,
      size_bytes: bytes.length,
    };
  }
  // base64 grows by 4/3; cut the bytes so the encoded text stays within the cap.
  const maxBytes = Math.floor(max / 4) * 3;
  return {
    encoding: 'base64',
    data: bytes.subarray(0, maxBytes).toString('base64'),
    truncated: bytes.length > maxBytes,
    size_bytes: bytes.length,
  };
}

import { z } from 'zod';
import { nonEmptyBoundedString } from './bounded-string';
import { IdSchema } from './id.schema';
import { Limits } from './limits';

const SliceTagSchema = nonEmptyBoundedString(Limits.sliceValueMaxChars);

/**
 * Trace-level context, known when the session starts. It travels in the `trace_start` event
 * (and may be restated on `trace_end` for agents that only report at the end); spans never
 * carry it. The sessionizer keeps the first value it sees per field.
 */
export const TraceContextSchema = z.strictObject({
  session_id: IdSchema.optional(),
  user_id: IdSchema.optional(),
  task_type: SliceTagSchema.optional(),
  user_segment: SliceTagSchema.optional(),
  platform: SliceTagSchema.optional(),
  model_version: SliceTagSchema.optional(),
  agent_version: SliceTagSchema.optional(),
  /** Length of the user's query in characters; the aggregator buckets it. */
  query_length: z.number().int().nonnegative().optional(),
  /** 1 for the user's first session; lets "first vs returning" be sliced without a user store. */
  session_number: z.number().int().min(1).optional(),
});
export type TraceContext = z.infer<typeof TraceContextSchema>;

import { z } from 'zod';
import { nonEmptyBoundedString } from './bounded-string';
import { Limits } from './limits';

/**
 * The dimensions DESIGN slices metrics by. `all` is the unsliced aggregate (its value is
 * ALL_SLICE_VALUE), so overall and per-slice windows share one shape and one series-key scheme.
 */
export const SliceDimensionSchema = z.enum([
  'all',
  'task_type',
  'user_segment',
  'platform',
  'model_version',
  'agent_version',
  'hour_of_day',
  'user_type',
  'query_length_bucket',
]);
export type SliceDimension = z.infer<typeof SliceDimensionSchema>;

export const ALL_SLICE_VALUE = '*';

/** Value for a trace without the tag, so untagged traffic is still a visible slice. */
export const UNKNOWN_SLICE_VALUE = 'unknown';

export const SliceSchema = z
  .strictObject({
    dimension: SliceDimensionSchema,
    value: nonEmptyBoundedString(Limits.sliceValueMaxChars),
  })
  .superRefine((slice, ctx) => {
    if ((slice.dimension === 'all') !== (slice.value === ALL_SLICE_VALUE)) {
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: `must be "${ALL_SLICE_VALUE}" exactly when dimension is "all"`,
      });
    }
  });
export type Slice = z.infer<typeof SliceSchema>;

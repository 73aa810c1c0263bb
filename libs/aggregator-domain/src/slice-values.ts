import {
  SliceDimensionSchema,
  UNKNOWN_SLICE_VALUE,
  type SliceDimension,
  type TraceContribution,
} from '@agentmon/contracts';

/** Where values past the per-dimension bound are folded (also where a literal "other" tag goes). */
export const OTHER_SLICE_VALUE = 'other';

/** Every sliced dimension, in output order; `all` is always computed besides these. */
export type SlicedDimension = Exclude<SliceDimension, 'all'>;
export const SLICE_DIMENSIONS: readonly SlicedDimension[] = SliceDimensionSchema.options.filter(
  (dimension): dimension is SlicedDimension => dimension !== 'all',
);

/**
 * Query length buckets in characters: [0, 50), [50, 200), [200, 1000), [1000, ∞). Short
 * lookups, ordinary questions, pasted context, whole documents: each behaves differently.
 */
export const QUERY_LENGTH_BUCKETS = [
  { upTo: 50, value: '0-49' },
  { upTo: 200, value: '50-199' },
  { upTo: 1000, value: '200-999' },
  { upTo: Infinity, value: '1000+' },
] as const;

export function queryLengthBucket(queryLength: number | null): string {
  if (queryLength === null) return UNKNOWN_SLICE_VALUE;
  for (const bucket of QUERY_LENGTH_BUCKETS) if (queryLength < bucket.upTo) return bucket.value;
  return QUERY_LENGTH_BUCKETS[QUERY_LENGTH_BUCKETS.length - 1].value;
}

/** First session, sessions 2–5 (still onboarding), returning (6+); unknown without a number. */
export function userType(sessionNumber: number | null): string {
  if (sessionNumber === null) return UNKNOWN_SLICE_VALUE;
  if (sessionNumber <= 1) return 'first_session';
  if (sessionNumber <= 5) return 'sessions_2_5';
  return 'returning';
}

const HOURS = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));
const HOUR_MS = 3_600_000;

/** UTC hour of the end time, zero-padded ("00"–"23") so values sort; no Date allocated. */
export function hourOfDay(endedAtMs: number): string {
  return HOURS[Math.floor(endedAtMs / HOUR_MS) % 24]!;
}

function tag(value: string | null): string {
  return value ?? UNKNOWN_SLICE_VALUE;
}

/** The value a contribution has in one dimension (null tags are "unknown"). */
export function sliceValue(dimension: SlicedDimension, c: TraceContribution): string {
  switch (dimension) {
    case 'task_type':
      return tag(c.task_type);
    case 'user_segment':
      return tag(c.user_segment);
    case 'platform':
      return tag(c.platform);
    case 'model_version':
      return tag(c.model_version);
    case 'agent_version':
      return tag(c.agent_version);
    case 'hour_of_day':
      return hourOfDay(c.ended_at);
    case 'user_type':
      return userType(c.session_number);
    case 'query_length_bucket':
      return queryLengthBucket(c.query_length);
  }
}

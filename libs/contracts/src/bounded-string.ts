import { z } from 'zod';

/** A string capped at `max` characters with an error that quotes the limit. */
export function boundedString(max: number) {
  return z.string().max(max, { error: `must be at most ${max} characters` });
}

/** A non-empty string capped at `max` characters. */
export function nonEmptyBoundedString(max: number) {
  return boundedString(max).min(1, { error: 'must not be empty' });
}

import { wellFormedString } from './well-formed';

/** A well-formed string (lone surrogates → U+FFFD) capped at `max` characters. */
export function boundedString(max: number) {
  return wellFormedString().max(max, { error: `must be at most ${max} characters` });
}

/** A non-empty string capped at `max` characters. */
export function nonEmptyBoundedString(max: number) {
  return boundedString(max).min(1, { error: 'must not be empty' });
}

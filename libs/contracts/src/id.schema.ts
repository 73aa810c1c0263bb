import { z } from 'zod';
import { wellFormedString } from './well-formed';
import { Limits } from './limits';

// Restricted charset: ids become Kafka keys, ClickHouse values and URL segments, so no spaces,
// quotes or control characters. Covers UUIDs, OTLP hex ids, ULIDs and "prefix:123"-style ids.
const ID_PATTERN = /^[A-Za-z0-9._:-]+$/;

// Repaired first like every string, so a lone surrogate is rejected by the pattern, not stored.
export const IdSchema = wellFormedString()
  .min(1, { error: 'must not be empty' })
  .max(Limits.idMaxChars, { error: `must be at most ${Limits.idMaxChars} characters` })
  .regex(ID_PATTERN, { error: 'may contain only letters, digits, ".", "_", ":" and "-"' });

export type Id = z.infer<typeof IdSchema>;

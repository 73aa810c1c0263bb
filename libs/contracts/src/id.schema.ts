import { z } from 'zod';
import { Limits } from './limits';

// Restricted charset: ids become Kafka keys, ClickHouse values and URL segments, so no spaces,
// quotes or control characters. Covers UUIDs, OTLP hex ids, ULIDs and "prefix:123"-style ids.
const ID_PATTERN = /^[A-Za-z0-9._:-]+$/;

export const IdSchema = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(Limits.idMaxChars, { error: `must be at most ${Limits.idMaxChars} characters` })
  .regex(ID_PATTERN, { error: 'may contain only letters, digits, ".", "_", ":" and "-"' });

export type Id = z.infer<typeof IdSchema>;

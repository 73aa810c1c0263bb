import type { z } from 'zod';
import { formatZodIssues } from './format-zod-issues';

export interface FieldIssue {
  /** Field path as written in code, e.g. `spans[3].attributes.input_tokens`; '' for the root. */
  path: string;
  message: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: FieldIssue[] };

/** safeParse with the issues already flattened to field paths, ready for a 400 or a dead letter. */
export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
): ParseResult<z.output<S>> {
  const result = schema.safeParse(value);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, issues: formatZodIssues(result.error) };
}

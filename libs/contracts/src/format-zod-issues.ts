import type { z } from 'zod';
import type { FieldIssue } from './parse-result';

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `['spans', 3, 'attributes', 'input_tokens']` → `spans[3].attributes.input_tokens`. */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && IDENTIFIER.test(segment))
      out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

/**
 * One item per bad field. An unknown key is reported at its own path ("span.colour: unknown
 * field") rather than zod's single issue on the parent, so callers can point at the exact field.
 */
export function formatZodIssues(
  error: z.ZodError,
  prefix: readonly PropertyKey[] = [],
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const issue of error.issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        issues.push({ path: formatFieldPath([...path, key]), message: 'unknown field' });
      }
    } else {
      issues.push({ path: formatFieldPath(path), message: issue.message });
    }
  }
  return issues;
}

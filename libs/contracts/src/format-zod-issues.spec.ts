import { z } from 'zod';
import { formatFieldPath, formatZodIssues } from './format-zod-issues';

describe('formatFieldPath', () => {
  it.each<[PropertyKey[], string]>([
    [[], ''],
    [['span_id'], 'span_id'],
    [['spans', 3, 'attributes', 'input_tokens'], 'spans[3].attributes.input_tokens'],
    [['attributes', 'gen_ai.model'], 'attributes["gen_ai.model"]'],
    [[0, 'a'], '[0].a'],
  ])('%j → %s', (path, expected) => {
    expect(formatFieldPath(path)).toBe(expected);
  });
});

describe('formatZodIssues', () => {
  const schema = z.strictObject({ a: z.strictObject({ b: z.number() }) });

  it('reports each unknown key at its own path', () => {
    const error = schema.safeParse({ a: { b: 1, c: 2, d: 3 } }).error!;
    expect(formatZodIssues(error)).toEqual([
      { path: 'a.c', message: 'unknown field' },
      { path: 'a.d', message: 'unknown field' },
    ]);
  });

  it('prefixes paths', () => {
    const error = schema.safeParse({ a: { b: 'x' } }).error!;
    expect(formatZodIssues(error, ['spans', 2])).toEqual([
      { path: 'spans[2].a.b', message: expect.stringMatching(/expected number/) },
    ]);
  });
});

// Test helper: the compiled contract checks (compileParser) against zod, value by value.
// Takes the contracts module as an argument (no value import of it) so a jest.mock factory of
// '@agentmon/contracts' can use it without loading the module it is mocking.
import type {
  compileParser,
  CompiledParser,
  formatZodIssues,
  ingestItemChecks,
  parseIngestBatch,
  ParseResult,
} from '@agentmon/contracts';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';

/** The parts of '@agentmon/contracts' the comparisons use. */
export interface ContractsApi {
  compileParser: typeof compileParser;
  formatZodIssues: typeof formatZodIssues;
  parseIngestBatch: typeof parseIngestBatch;
  ingestItemChecks: typeof ingestItemChecks;
}
type Contracts = ContractsApi & Record<string, unknown>;

export interface Divergence {
  schema: string;
  value: unknown;
  problem: string;
}

/** A value the JSON decoder could produce, plus NaN/±Infinity (which both sides must refuse). */
export function isJsonLike(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return true;
  if (Array.isArray(value)) return value.every(isJsonLike);
  if (typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(value as object).every(isJsonLike);
}

/** zod's own parse of `value`, as a ParseResult. */
export function zodResult(
  api: ContractsApi,
  schema: z.ZodType,
  value: unknown,
): ParseResult<unknown> {
  const result = schema.safeParse(value);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, issues: api.formatZodIssues(result.error) };
}

/**
 * The equivalence every compiled parser must hold for `value`:
 * - the compiled check accepts it exactly when zod accepts it and outputs it unchanged;
 * - the parser's result (check, else zod) deep-equals zod's: same value, or the same issues.
 * For ingest schemas (zod-only: they transform), the canonical topic schema's check must only
 * accept values the ingest schema outputs unchanged. Returns the problems found (none = equal).
 */
export function compareWithZod(
  name: string,
  parser: CompiledParser<unknown>,
  value: unknown,
  zod: ParseResult<unknown>,
): Divergence[] {
  const problems: Divergence[] = [];
  const unchanged = zod.ok && isDeepStrictEqual(zod.value, value);
  const canonical = parser.isCanonical(value);
  if (canonical !== unchanged) {
    problems.push({
      schema: name,
      value,
      problem: canonical
        ? `compiled check accepts, zod ${zod.ok ? 'changes the value' : 'rejects it'}: ${JSON.stringify(zod)}`
        : 'compiled check rejects a value zod accepts unchanged (fast path never taken)',
    });
  }
  const fast = parser.parse(value);
  if (!isDeepStrictEqual(fast, zod)) {
    problems.push({
      schema: name,
      value,
      problem: `parse differs: compiled ${JSON.stringify(fast)} vs zod ${JSON.stringify(zod)}`,
    });
  }
  return problems;
}

/** parseIngestBatch against IngestBatchSchema: same value or same issues. */
export function compareIngestBatch(
  api: ContractsApi,
  value: unknown,
  zod: ParseResult<unknown>,
): Divergence[] {
  const fast = api.parseIngestBatch(value);
  return isDeepStrictEqual(fast, zod)
    ? []
    : [
        {
          schema: 'IngestBatchSchema',
          value,
          problem: `parseIngestBatch ${JSON.stringify(fast)} vs zod ${JSON.stringify(zod)}`,
        },
      ];
}

/** An ingest item schema against the canonical check parseIngestBatch uses for its items. */
export function compareCanonicalItem(
  name: string,
  isCanonical: (item: unknown) => boolean,
  value: unknown,
  zod: ParseResult<unknown>,
): Divergence[] {
  if (!isCanonical(value)) return [];
  return zod.ok && isDeepStrictEqual(zod.value, value)
    ? []
    : [
        {
          schema: name,
          value,
          problem: `canonical check accepts, ingest schema gives ${JSON.stringify(zod)}`,
        },
      ];
}

/**
 * Wraps `safeParse` and `parse` of every zod schema exported by the contracts module so each call
 * (whatever test makes it) also runs the compiled path and throws on any divergence. For a
 * jest.mock of '@agentmon/contracts' that re-runs the existing conformance specs unchanged.
 */
export function instrumentContracts(contracts: Contracts): Contracts {
  const compiled = new Map<z.ZodType, CompiledParser<unknown>>();
  const parserFor = (schema: z.ZodType) => {
    let parser = compiled.get(schema);
    if (!parser) compiled.set(schema, (parser = contracts.compileParser(schema)));
    return parser;
  };
  const canonicalFor: Record<string, 'span' | 'event'> = {
    SpanIngestSchema: 'span',
    TraceEventIngestSchema: 'event',
  };
  let inside = false;
  const check = (name: string, schema: z.ZodType, value: unknown, zod: ParseResult<unknown>) => {
    if (inside || !isJsonLike(value)) return;
    inside = true;
    try {
      const parser = parserFor(schema);
      let problems: Divergence[];
      if (name === 'IngestBatchSchema') problems = compareIngestBatch(contracts, value, zod);
      else if (canonicalFor[name])
        problems = compareCanonicalItem(
          name,
          contracts.ingestItemChecks()[canonicalFor[name]!],
          value,
          zod,
        );
      else if (parser.compiled) problems = compareWithZod(name, parser, value, zod);
      else problems = [];
      equivalenceLog.checked += 1;
      if (zod.ok) equivalenceLog.accepted += 1;
      else equivalenceLog.rejected += 1;
      if (problems.length > 0) {
        equivalenceLog.divergences.push(...problems);
        throw new Error(`compiled validator diverges from zod: ${JSON.stringify(problems)}`);
      }
    } finally {
      inside = false;
    }
  };
  for (const [name, schema] of Object.entries(contracts)) {
    if (!(schema instanceof z.ZodType)) continue;
    const safeParse = schema.safeParse.bind(schema);
    const wrapped = ((value: unknown, params?: never) => {
      const result = safeParse(value, params);
      const zod: ParseResult<unknown> = result.success
        ? { ok: true, value: result.data }
        : { ok: false, issues: contracts.formatZodIssues(result.error) };
      check(name, schema, value, zod);
      return result;
    }) as typeof schema.safeParse;
    Object.assign(schema, {
      safeParse: wrapped,
      parse: (value: unknown, params?: never) => {
        const result = wrapped(value, params);
        if (!result.success) throw result.error;
        return result.data;
      },
    });
  }
  return contracts;
}

/** What instrumentContracts saw, for a final assertion that it really ran. */
export const equivalenceLog = {
  checked: 0,
  accepted: 0,
  rejected: 0,
  divergences: [] as Divergence[],
};

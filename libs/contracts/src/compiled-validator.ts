import Ajv, { _, type KeywordCxt } from 'ajv';
import { z } from 'zod';
import { parseWith, type ParseResult } from './parse-result';
import { toWellFormedString } from './well-formed';

/**
 * A zod schema with a compiled check in front of it. The check is generated from the schema
 * itself (JSON Schema via `z.toJSONSchema` → ajv, plus the schema's own refinement functions),
 * so the contract stays the one source of truth; it only answers "is this value already exactly
 * what the schema would output?". When it says yes, the value is returned as it is; otherwise
 * zod parses it, so error messages and every repair (lone surrogates) stay zod's.
 *
 * Only for JSON data (the result of JSON.parse): no undefined, NaN, Date or class instances.
 */
export interface CompiledParser<T> {
  /** false when the schema has something the compiled check cannot stand in for (then zod only). */
  readonly compiled: boolean;
  /** Why `compiled` is false; null when it is true. */
  readonly unsupported: string | null;
  /** The compiled check alone: true only when zod would accept the value and output it unchanged. */
  isCanonical(value: unknown): boolean;
  /** The compiled check, falling back to zod's parse (its issues, its repairs) when it fails. */
  parse(value: unknown): ParseResult<T>;
}

// Schema kinds whose zod output equals their (valid) JSON input: no transform, default, catch,
// pipe or coercion. Anything else makes the schema zod-only.
const PASS_THROUGH_TYPES = new Set([
  'string',
  'number',
  'boolean',
  'null',
  'literal',
  'enum',
  'object',
  'array',
  'record',
  'union',
  'nullable',
  'optional',
]);

// Checks JSON Schema states exactly (string lengths in code points on both sides). `custom` (refine / superRefine) runs zod's own function; `overwrite` is allowed
// only for toWellFormedString, which is the identity exactly on well-formed strings.
const JSON_SCHEMA_CHECKS = new Set([
  'min_length',
  'max_length',
  'length_equals',
  'greater_than',
  'less_than',
  'multiple_of',
]);
const JSON_SCHEMA_NUMBER_FORMATS = new Set(['safeint', 'int32', 'uint32', 'float32', 'float64']);

interface ZodCheckInternals {
  _zod: { def: { check: string; format?: string; tx?: unknown }; check(payload: unknown): void };
}
interface ZodSchemaInternals {
  _zod: { def: { type: string; discriminator?: string; checks?: ZodCheckInternals[] } };
}

const REFINE_KEYWORD = 'x-agentmon-refine';
const WELL_FORMED_KEYWORD = 'x-agentmon-well-formed';
const NO_PROTO_KEY_KEYWORD = 'x-agentmon-no-proto-key';

/** Runs zod's own refinement functions on a value that already passed every other check. */
function refinementsPass(checks: readonly ZodCheckInternals[], value: unknown): boolean {
  const payload = { value, issues: [] as unknown[] };
  try {
    for (const check of checks) {
      const result = check._zod.check(payload) as unknown;
      if (result instanceof Promise) return false;
    }
  } catch {
    return false;
  }
  return payload.issues.length === 0;
}

function newAjv(refinements: ZodCheckInternals[][]): Ajv {
  const ajv = new Ajv({
    strict: false,
    allErrors: false,
    // Lengths: ajv counts code points (a surrogate pair is one, a lone surrogate one), as zod's
    // length checks do. Patterns: zod's regexes have no `u` flag, so neither do ajv's.
    unicodeRegExp: false,
    discriminator: true,
    inlineRefs: false,
    messages: false,
    validateSchema: false,
    logger: false,
  });
  ajv.addKeyword({
    keyword: WELL_FORMED_KEYWORD,
    type: 'string',
    schemaType: 'boolean',
    code(cxt: KeywordCxt) {
      // A lone surrogate fails, so zod repairs it (U+FFFD) on the fallback path.
      cxt.fail(_`!${cxt.data}.isWellFormed()`);
    },
  });
  ajv.addKeyword({
    keyword: NO_PROTO_KEY_KEYWORD,
    type: 'object',
    schemaType: 'boolean',
    code(cxt: KeywordCxt) {
      // JSON.parse makes "__proto__" an own key; zod's output drops it, so leave it to zod.
      cxt.fail(_`Object.prototype.hasOwnProperty.call(${cxt.data}, "__proto__")`);
    },
  });
  ajv.addKeyword({
    keyword: REFINE_KEYWORD,
    schemaType: 'number',
    errors: false,
    validate: (index: number, data: unknown) => refinementsPass(refinements[index]!, data),
  });
  return ajv;
}

/** Compiles the check for `schema`, or explains why it cannot stand in for zod. */
function compileCheck(
  schema: z.ZodType,
): { check: (value: unknown) => boolean; unsupported: null } | { unsupported: string } {
  const refinements: ZodCheckInternals[][] = [];
  const problems: string[] = [];
  let jsonSchema: Record<string, unknown>;
  try {
    jsonSchema = z.toJSONSchema(schema, {
      target: 'draft-7',
      io: 'output',
      // Reused parts become $refs that ajv compiles as functions of their own (inlineRefs: false):
      // one inlined function for a whole record is too big for V8 to optimise (5x slower).
      reused: 'ref',
      unrepresentable: 'throw',
      cycles: 'throw',
      override: (ctx) => {
        const def = (ctx.zodSchema as unknown as ZodSchemaInternals)._zod.def;
        const json = ctx.jsonSchema as Record<string, unknown>;
        if (!PASS_THROUGH_TYPES.has(def.type)) problems.push(`${def.type} schema`);
        if (def.type === 'object' || def.type === 'record') json[NO_PROTO_KEY_KEYWORD] = true;
        if (def.type === 'union' && def.discriminator && Array.isArray(json.oneOf))
          // ajv then tries only the branch the tag names instead of every branch.
          // (ajv applies `discriminator` to objects only and skips the oneOf: say it is one).
          Object.assign(json, {
            type: 'object',
            discriminator: { propertyName: def.discriminator },
          });
        const custom: ZodCheckInternals[] = [];
        for (const check of def.checks ?? []) {
          const kind = check._zod.def.check;
          if (kind === 'custom') custom.push(check);
          else if (kind === 'overwrite' && check._zod.def.tx === toWellFormedString)
            json[WELL_FORMED_KEYWORD] = true;
          else if (kind === 'string_format' && check._zod.def.format === 'regex') continue;
          else if (
            kind === 'number_format' &&
            JSON_SCHEMA_NUMBER_FORMATS.has(check._zod.def.format!)
          )
            continue;
          else if (!JSON_SCHEMA_CHECKS.has(kind))
            problems.push(
              `${kind}${check._zod.def.format ? `:${check._zod.def.format}` : ''} check`,
            );
        }
        if (custom.length > 0) {
          json[REFINE_KEYWORD] = refinements.length;
          refinements.push(custom);
        }
      },
    }) as Record<string, unknown>;
  } catch (error) {
    return { unsupported: error instanceof Error ? error.message : String(error) };
  }
  if (problems.length > 0) return { unsupported: [...new Set(problems)].join(', ') };
  // Every refinement must be reachable in the generated schema, or the check would skip it.
  const text = JSON.stringify(jsonSchema);
  for (let index = 0; index < refinements.length; index += 1) {
    if (!text.includes(`"${REFINE_KEYWORD}":${index}`))
      return { unsupported: `refinement ${index} is not in the generated JSON Schema` };
  }
  delete jsonSchema.$schema;
  const validate = newAjv(refinements).compile(jsonSchema);
  return { check: (value) => validate(value) as boolean, unsupported: null };
}

/** Compiles `schema` once (call at module load or start, never per record). */
export function compileParser<S extends z.ZodType>(schema: S): CompiledParser<z.output<S>> {
  const compiled = compileCheck(schema);
  if (compiled.unsupported !== null) {
    return {
      compiled: false,
      unsupported: compiled.unsupported,
      isCanonical: () => false,
      parse: (value) => parseWith(schema, value),
    };
  }
  const check = compiled.check;
  return {
    compiled: true,
    unsupported: null,
    isCanonical: check,
    parse: (value) =>
      check(value) ? { ok: true, value: value as z.output<S> } : parseWith(schema, value),
  };
}

/**
 * Typed query parameters, bound as ClickHouse literals on our side: the `{name:Type}` syntax the
 * server learned in 19.x is not understood by 18.16, and one code path for every release keeps
 * the escaping tested where it runs. Values are checked against their declared type, never
 * spliced as text, so a parameter can only ever become one literal.
 */
export type QueryParamValue =
  string | number | bigint | boolean | Date | readonly (string | number)[];
export type QueryParams = Record<string, QueryParamValue>;

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*):([A-Za-z0-9_()]+)\}/g;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class QueryParamError extends Error {
  constructor(param: string, message: string) {
    super(`query parameter "${param}": ${message}`);
    this.name = 'QueryParamError';
  }
}

function quoteString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\0/g, '\\0')}'`;
}

function integerLiteral(name: string, value: QueryParamValue, unsigned: boolean): string {
  const text =
    typeof value === 'bigint'
      ? value.toString()
      : typeof value === 'number' && Number.isSafeInteger(value)
        ? String(value)
        : null;
  if (text === null) throw new QueryParamError(name, 'expected an integer');
  if (unsigned && text.startsWith('-'))
    throw new QueryParamError(name, 'expected a non-negative integer');
  return text;
}

function floatLiteral(name: string, value: QueryParamValue): string {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new QueryParamError(name, 'expected a finite number');
  return String(value);
}

function dateTimeLiteral(name: string, value: QueryParamValue): string {
  const ms = value instanceof Date ? value.getTime() : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms))
    throw new QueryParamError(name, 'expected a Date or epoch milliseconds');
  return `toDateTime(${Math.floor(ms / 1000)})`;
}

function literal(name: string, type: string, value: QueryParamValue): string {
  const array = /^Array\((.+)\)$/.exec(type);
  if (array) {
    if (!Array.isArray(value)) throw new QueryParamError(name, `expected an array for ${type}`);
    return `[${value.map((item) => literal(name, array[1], item)).join(', ')}]`;
  }
  if (type === 'Identifier') {
    if (typeof value !== 'string' || !IDENTIFIER.test(value))
      throw new QueryParamError(name, 'expected an identifier');
    return value;
  }
  if (type === 'String') {
    if (typeof value !== 'string') throw new QueryParamError(name, 'expected a string');
    return quoteString(value);
  }
  if (/^U?Int(8|16|32|64)$/.test(type)) return integerLiteral(name, value, type.startsWith('U'));
  if (/^Float(32|64)$/.test(type)) return floatLiteral(name, value);
  if (type === 'Bool' || type === 'UInt8Bool')
    return value === true ? '1' : value === false ? '0' : integerLiteral(name, value, true);
  if (type === 'DateTime') return dateTimeLiteral(name, value);
  throw new QueryParamError(name, `unsupported type ${type}`);
}

/** Replaces every `{name:Type}` placeholder by the typed literal of `params[name]`. */
export function bindQueryParams(sql: string, params: QueryParams = {}): string {
  const used = new Set<string>();
  const bound = sql.replace(PLACEHOLDER, (_match, name: string, type: string) => {
    if (!(name in params))
      throw new QueryParamError(name, 'is used in the query but was not given');
    used.add(name);
    return literal(name, type, params[name]);
  });
  const unused = Object.keys(params).filter((name) => !used.has(name));
  if (unused.length > 0)
    throw new QueryParamError(unused[0], 'was given but is not used in the query');
  return bound;
}

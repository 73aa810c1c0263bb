import { bindQueryParams, QueryParamError } from './query-params';

describe('bindQueryParams', () => {
  it.each([
    ['SELECT {s:String}', { s: "it's" }, "SELECT 'it\\'s'"],
    ['SELECT {s:String}', { s: 'a\\b' }, "SELECT 'a\\\\b'"],
    ['SELECT {s:String}', { s: "x' OR 1=1 --" }, "SELECT 'x\\' OR 1=1 --'"],
    ['SELECT {n:UInt64}', { n: 42 }, 'SELECT 42'],
    ['SELECT {n:UInt64}', { n: 2n ** 63n }, 'SELECT 9223372036854775808'],
    ['SELECT {n:Int32}', { n: -3 }, 'SELECT -3'],
    ['SELECT {f:Float64}', { f: 0.25 }, 'SELECT 0.25'],
    ['SELECT {t:DateTime}', { t: 1700000000999 }, 'SELECT toDateTime(1700000000)'],
    ['SELECT {a:Array(String)}', { a: ['x', "y'"] }, "SELECT ['x', 'y\\'']"],
    ['SELECT * FROM {db:Identifier}.t', { db: 'agentmon_1' }, 'SELECT * FROM agentmon_1.t'],
  ])('binds %s', (sql, params, expected) => {
    expect(bindQueryParams(sql, params)).toBe(expected);
  });

  it.each([
    ['SELECT {n:UInt64}', { n: -1 }, /non-negative/],
    ['SELECT {n:UInt64}', { n: 1.5 }, /integer/],
    ['SELECT {n:UInt64}', { n: '1; DROP TABLE x' }, /integer/],
    ['SELECT {f:Float64}', { f: Number.NaN }, /finite/],
    ['SELECT {s:String}', { s: 5 }, /string/],
    ['SELECT {db:Identifier}', { db: 'x; DROP' }, /identifier/],
    ['SELECT {missing:String}', {}, /not given/],
    ['SELECT 1', { extra: 'x' }, /not used/],
    ['SELECT {x:Decimal}', { x: 1 }, /unsupported/],
  ])('rejects %s with %p', (sql, params, message) => {
    expect(() => bindQueryParams(sql, params as never)).toThrow(QueryParamError);
    expect(() => bindQueryParams(sql, params as never)).toThrow(message);
  });
});

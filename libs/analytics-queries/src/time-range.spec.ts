import { parseDuration, parseTimeArgument, resolveTimeRange } from './time-range';

const NOW = Date.parse('2026-03-10T12:34:56.789Z');

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['90m', 5_400_000],
    ['24h', 86_400_000],
    ['7d', 604_800_000],
    ['2w', 1_209_600_000],
    ['1d12h', 129_600_000],
    ['0m', 0],
  ])('%s → %d ms', (text, expected) => expect(parseDuration(text)).toBe(expected));

  it.each(['', 'h', '24', '24x', '-1h', '1.5h', '2026-01-01'])('%j is not a duration', (text) =>
    expect(parseDuration(text)).toBeNull(),
  );
});

describe('parseTimeArgument', () => {
  it.each([
    ['24h', NOW - 86_400_000],
    ['now', NOW],
    ['2026-03-01T00:00:00Z', Date.parse('2026-03-01T00:00:00Z')],
    ['2026-03-01', Date.parse('2026-03-01')],
  ])('%s', (text, expected) => expect(parseTimeArgument('--since', text, NOW)).toBe(expected));

  it.each([
    ['yesterday', /--since "yesterday": use a duration/],
    ['2026-13-45', /--since "2026-13-45": not a valid ISO-8601 time/],
  ])('refuses %s naming the option', (text, message) =>
    expect(() => parseTimeArgument('--since', text, NOW)).toThrow(message),
  );
});

describe('resolveTimeRange', () => {
  it.each([
    [{}, { since: '24h' }, NOW - 86_400_000, NOW],
    [
      { since: '1h' },
      { since: '24h', alignMs: 60_000 },
      Date.parse('2026-03-10T11:34:00Z'),
      Date.parse('2026-03-10T12:35:00Z'),
    ],
    [
      { since: '2026-03-01T00:00:30Z', until: '2026-03-02T00:00:00Z' },
      { since: '7d', alignMs: 60_000 },
      Date.parse('2026-03-01T00:00:00Z'),
      Date.parse('2026-03-02T00:00:00Z'),
    ],
  ])('%j with %j', (options, defaults, from, to) =>
    expect(resolveTimeRange(options, NOW, defaults)).toEqual({ from, to }),
  );

  it('refuses a reversed period, naming --since', () =>
    expect(() => resolveTimeRange({ since: '1h', until: '2h' }, NOW, { since: '24h' })).toThrow(
      /--since "1h": must be before --until/,
    ));
});

import { chooseReviewHashCut, reviewHashCut } from './review-hash-cut';

// below[k − 1] halves with each level, as uniform hashes do.
const stratum = (key: string, rows: number) => ({
  key,
  rows,
  below: Array.from({ length: 12 }, (_, i) => Math.floor(rows / 2 ** (i + 1))),
});

describe('chooseReviewHashCut: fewest rows read, the pick unchanged', () => {
  it.each<[string, ReturnType<typeof stratum>[], number, { level: number; whole: string[] }]>([
    ['no rows: no cut', [], 30, { level: 0, whole: [] }],
    [
      'strata too small for any cut are read whole',
      [stratum('a', 40)],
      30,
      { level: 0, whole: ['a'] },
    ],
    // 20,000 rows: level 9 leaves 39 ≥ 30 below, level 10 only 19.
    [
      'one big stratum: the deepest cut that still holds 30',
      [stratum('a', 20_000)],
      30,
      { level: 9, whole: [] },
    ],
    [
      'a small stratum rides along whole',
      [stratum('a', 20_000), stratum('b', 20_000), stratum('rare', 50)],
      30,
      { level: 9, whole: ['rare'] },
    ],
    [
      'a middle stratum read whole when that costs less than a shallower cut',
      [stratum('a', 100_000), stratum('mid', 300)],
      30,
      { level: 11, whole: ['mid'] },
    ],
  ])('%s', (_what, strata, want, expected) => {
    expect(chooseReviewHashCut(strata, want)).toEqual(expected);
  });

  it.each([
    [0, '18446744073709551615'],
    [1, '9223372036854775808'],
    [12, '4503599627370496'],
  ])('level %i cuts below %s', (level, cut) => {
    expect(reviewHashCut(level)).toBe(cut);
  });
});

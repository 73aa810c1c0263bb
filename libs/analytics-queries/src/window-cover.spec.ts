import { coverRange, type CoverSegment } from './window-cover';

const M = 60_000;
const H = 3_600_000;
const D = 86_400_000;
const T0 = Date.parse('2026-03-02T00:00:00Z');

const shape = (segments: CoverSegment[]) =>
  segments.map((s) => [s.windowSizeS, (s.from - T0) / M, (s.to - T0) / M]);

describe('coverRange', () => {
  it.each([
    ['inside one hour', T0 + 10 * M, T0 + 50 * M, [[60, 10, 50]]],
    ['two partial hours', T0 + 50 * M, T0 + 70 * M, [[60, 50, 70]]],
    ['whole hours', T0 + H, T0 + 3 * H, [[3600, 60, 180]]],
    [
      'hours with minute edges',
      T0 + 30 * M,
      T0 + 3 * H + 5 * M,
      [
        [60, 30, 60],
        [3600, 60, 180],
        [60, 180, 185],
      ],
    ],
    ['whole days', T0, T0 + 2 * D, [[86400, 0, 2880]]],
    [
      'a week not aligned',
      T0 - 90 * M,
      T0 + 7 * D + 2 * H + 1 * M,
      [
        [60, -90, -60],
        [3600, -60, 0],
        [86400, 0, 10080],
        [3600, 10080, 10200],
        [60, 10200, 10201],
      ],
    ],
  ])('%s', (_name, from, to, expected) => {
    expect(shape(coverRange({ from, to }, 60))).toEqual(expected);
  });

  it.each([
    [T0 + 7 * M, T0 + 3 * D + 5 * H + 13 * M],
    [T0 - 5 * D - 3 * M, T0 + 2 * D + 59 * M],
    [T0 + H, T0 + H + M],
  ])('tiles [%d, %d) exactly with at most five segments', (from, to) => {
    const segments = coverRange({ from, to }, 60);
    expect(segments.length).toBeLessThanOrEqual(5);
    let at = from;
    for (const s of [...segments].sort((a, b) => a.from - b.from)) {
      expect(s.from).toBe(at);
      expect(s.from % (s.windowSizeS * 1000)).toBe(0);
      expect(s.to % (s.windowSizeS * 1000)).toBe(0);
      at = s.to;
    }
    expect(at).toBe(to);
  });

  it('uses base windows only when they are an hour or longer', () =>
    expect(shape(coverRange({ from: T0, to: T0 + 4 * 90 * M }, 5400))).toEqual([[5400, 0, 360]]));

  it('refuses an unaligned period', () =>
    expect(() => coverRange({ from: T0 + 1, to: T0 + M }, 60)).toThrow(/aligned to 60 s/));
});

import { OffsetIndex } from './offset-index';

describe('OffsetIndex', () => {
  const idx = new OffsetIndex();
  // 200 entries forces growth past the initial capacity of 64.
  for (let i = 0; i < 200; i++) idx.append(i * 10, i * 1000, 5000 + (i % 7));

  it('floor finds the batch holding an offset', () => {
    expect(idx.count).toBe(200);
    expect(idx.floor(-1)).toBe(-1);
    expect(idx.floor(0)).toBe(0);
    expect(idx.floor(9)).toBe(0);
    expect(idx.floor(10)).toBe(1);
    expect(idx.floor(1995)).toBe(199);
    expect(idx.floor(1e12)).toBe(199);
    expect(idx.positionAt(idx.floor(555))).toBe(55000);
  });

  it('finds the first batch at or after a timestamp even when timestamps are not monotonic', () => {
    expect(idx.firstWithMaxTimestampAtLeast(5006)).toBe(6);
    expect(idx.firstWithMaxTimestampAtLeast(0)).toBe(0);
    expect(idx.firstWithMaxTimestampAtLeast(9999)).toBe(-1);
    expect(idx.largestTimestamp()).toBe(5006);
  });
});

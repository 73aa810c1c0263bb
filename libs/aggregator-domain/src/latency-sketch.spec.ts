import { LATENCY_RELATIVE_ACCURACY, LatencySketch } from './latency-sketch';
import { lognormal, seededRandom } from './test/random-traces';

function exactQuantile(sorted: readonly number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

describe('LatencySketch', () => {
  const random = seededRandom(42);
  const samples = Array.from({ length: 10_000 }, () => lognormal(random, 8, 1.2));
  const sorted = [...samples].sort((a, b) => a - b);
  const sketch = new LatencySketch();
  for (const v of samples) sketch.add(v);

  it.each([0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1])(
    'q=%p is within 1%% of the exact quantile over 10k lognormal samples',
    (q) => {
      const [estimate] = sketch.quantiles([q]);
      const exact = exactQuantile(sorted, q);
      expect(Math.abs(estimate! - exact) / exact).toBeLessThanOrEqual(LATENCY_RELATIVE_ACCURACY);
    },
  );

  it('returns null quantiles when empty (and after every sample was removed)', () => {
    const s = new LatencySketch();
    expect(s.quantiles([0.5, 0.99])).toEqual([null, null]);
    s.add(1234);
    s.add(1234, -1);
    expect(s.quantiles([0.5])).toEqual([null]);
    expect(s.toJSON()).toEqual({ zero: 0, bins: [] });
  });

  it('removes a sample exactly: add then remove equals never added', () => {
    const a = new LatencySketch();
    const b = new LatencySketch();
    for (const v of samples.slice(0, 100)) {
      a.add(v);
      b.add(v);
    }
    a.add(98_765);
    a.add(0);
    a.add(98_765, -1);
    a.add(0, -1);
    expect(a.toJSON()).toEqual(b.toJSON());
  });

  it('merges bucket by bucket: merged halves equal one sketch of everything', () => {
    const left = new LatencySketch();
    const right = new LatencySketch();
    samples.forEach((v, i) => (i % 3 === 0 ? left : right).add(v));
    left.merge(right);
    expect(left.toJSON()).toEqual(sketch.toJSON());
    expect(left.count).toBe(10_000);
  });

  it('counts 0 ms in the zero bucket and reports it as 0', () => {
    const s = new LatencySketch();
    [0, 0, 0, 500].forEach((v) => s.add(v));
    const [p0, p50, p100] = s.quantiles([0, 0.5, 1]);
    expect([p0, p50]).toEqual([0, 0]);
    expect(Math.abs(p100! - 500) / 500).toBeLessThanOrEqual(LATENCY_RELATIVE_ACCURACY);
  });

  it('round-trips through JSON', () => {
    const json = JSON.parse(JSON.stringify(sketch.toJSON()));
    expect(LatencySketch.fromJSON(json).quantiles([0.5, 0.95])).toEqual(
      sketch.quantiles([0.5, 0.95]),
    );
  });

  it('ignores buckets whose net count is negative (a lone delta is never read as quantiles)', () => {
    const s = new LatencySketch();
    s.add(100, -1);
    s.add(200);
    const [p50] = s.quantiles([0.5]);
    expect(Math.abs(p50! - 200) / 200).toBeLessThanOrEqual(LATENCY_RELATIVE_ACCURACY);
  });
});

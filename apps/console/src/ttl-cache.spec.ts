import { TtlCache } from './ttl-cache';

describe('TtlCache', () => {
  it('serves a value until its TTL, shares concurrent misses, drops failures and the oldest', async () => {
    let now = 0;
    const cache = new TtlCache<number>(100, 2, () => now);
    let computed = 0;
    const compute = async () => ++computed;
    const [a, b] = await Promise.all([cache.get('k', compute), cache.get('k', compute)]);
    expect([a, b, computed]).toEqual([1, 1, 1]);
    now = 99;
    expect(await cache.get('k', compute)).toBe(1);
    now = 100;
    expect(await cache.get('k', compute)).toBe(2);

    await expect(cache.get('bad', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('bad', async () => 7)).toBe(7);

    await cache.get('third', compute);
    // Bound 2: 'k' (the oldest) was dropped.
    expect(await cache.get('k', compute)).toBe(4);
  });
});

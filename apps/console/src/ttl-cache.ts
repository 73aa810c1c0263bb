/**
 * A small bounded cache of computed page data, keyed by project and query. Entries live at most
 * `ttlMs` (the console sets it to one aggregator window: stored windows change only when a window
 * closes or is revised) and the oldest go first past `maxEntries`. Concurrent misses of one key
 * share one computation.
 */
export class TtlCache<T> {
  private readonly entries = new Map<string, { until: number; value: Promise<T> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string, compute: () => Promise<T>): Promise<T> {
    const at = this.now();
    const hit = this.entries.get(key);
    if (hit !== undefined && hit.until > at) return hit.value;
    const value = compute();
    this.entries.delete(key);
    this.entries.set(key, { until: at + this.ttlMs, value });
    // A failed computation is not kept: the next request tries again.
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    for (const k of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(k);
    }
    return value;
  }
}

// The package root re-exports DDSketch only; the mapping lives one level down (no exports map).
import { LogarithmicMapping } from '@datadog/sketches-js/dist/ddsketch/mapping';

/** DDSketch's relative-accuracy guarantee for every latency quantile (DESIGN: 1%). */
export const LATENCY_RELATIVE_ACCURACY = 0.01;

// One mapping for every sketch: buckets of different sketches line up, so merging is adding
// counts bucket by bucket and subtracting a sample is decrementing its bucket.
const MAPPING = new LogarithmicMapping(LATENCY_RELATIVE_ACCURACY);

/** The bucket key for values too small to map (0 ms): counted apart, like DDSketch's zeroCount. */
export const ZERO_BUCKET_KEY = Number.MIN_SAFE_INTEGER;

/** JSON form: the zero bucket and (key, count) pairs sorted by key, so equal sketches serialize equally. */
export interface SerializedLatencySketch {
  zero: number;
  bins: Array<[key: number, count: number]>;
}

/**
 * A DDSketch over latencies that can also *remove* a sample exactly. The library's DDSketch only
 * adds; a revised trace must retract its old latency from the window it was counted in, so this
 * keeps its own bucket → count map keyed with the library's LogarithmicMapping. Counts may go
 * negative inside a delta (a revision partial); only merged sums are read as quantiles.
 */
export class LatencySketch {
  zeroCount = 0;
  readonly bins = new Map<number, number>();

  /** Bucket of a latency; compute once per trace and reuse it for every slice it counts in. */
  static keyOf(valueMs: number): number {
    return valueMs < MAPPING.minPossible ? ZERO_BUCKET_KEY : MAPPING.key(valueMs);
  }

  static fromJSON(json: SerializedLatencySketch): LatencySketch {
    const sketch = new LatencySketch();
    sketch.zeroCount = json.zero;
    for (const [key, count] of json.bins) sketch.addKey(key, count);
    return sketch;
  }

  add(valueMs: number, weight = 1): void {
    this.addKey(LatencySketch.keyOf(valueMs), weight);
  }

  addKey(key: number, weight: number): void {
    if (key === ZERO_BUCKET_KEY) {
      this.zeroCount += weight;
      return;
    }
    const next = (this.bins.get(key) ?? 0) + weight;
    // Dropping emptied buckets keeps memory proportional to live buckets and JSON canonical.
    if (next === 0) this.bins.delete(key);
    else this.bins.set(key, next);
  }

  merge(other: LatencySketch): void {
    this.zeroCount += other.zeroCount;
    for (const [key, count] of other.bins) this.addKey(key, count);
  }

  get count(): number {
    let total = this.zeroCount;
    for (const count of this.bins.values()) total += count;
    return total;
  }

  /**
   * Values at the given quantiles (null when empty), with DDSketch's rank rule: the value of the
   * bucket holding the sample of rank floor(q × (n − 1)). Buckets with a non-positive net count
   * (inconsistent input) are ignored rather than allowed to produce nonsense.
   */
  quantiles(qs: readonly number[]): Array<number | null> {
    const keys = [...this.bins.keys()].sort((a, b) => a - b);
    const zero = Math.max(0, this.zeroCount);
    let count = zero;
    for (const key of keys) count += Math.max(0, this.bins.get(key)!);
    if (count <= 0) return qs.map(() => null);
    return qs.map((q) => {
      const rank = q * (count - 1);
      if (rank < zero) return 0;
      let running = zero;
      for (const key of keys) {
        running += Math.max(0, this.bins.get(key)!);
        if (running > rank) return MAPPING.value(key);
      }
      return MAPPING.value(keys[keys.length - 1]!);
    });
  }

  toJSON(): SerializedLatencySketch {
    const bins = [...this.bins.entries()].sort((a, b) => a[0] - b[0]);
    return { zero: this.zeroCount, bins };
  }
}

/**
 * FNV-1a over UTF-16 code units from `seed`, then the murmur3 finaliser, because bare FNV-1a
 * spreads sequential ids ("trace-0001", "trace-0002") poorly in its high bits. Unsigned 32 bits.
 */
export function hash32(value: string, seed = 0x811c9dc5): number {
  let h = seed;
  for (let i = 0; i < value.length; i++) {
    h ^= value.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Deterministic map of a string to [0, 1). Pure and tiny, so the same trace id decides the same
 * on every replay and host.
 */
export function hashToUnitInterval(value: string): number {
  return hash32(value) / 0x1_0000_0000;
}

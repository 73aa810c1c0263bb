/**
 * A 64-bit digest (16 hex characters) of a span or event id, remembered per trace so a late
 * record already folded into the summary is recognised on replay. Two independent 32-bit FNV-1a
 * lanes with the murmur3 finaliser: at 4,096 records per trace a collision (a late record wrongly
 * taken as seen) has odds below 1e-12. Pure and tiny; no crypto needed (ids are not secrets).
 */
export function recordDigest(kind: 'span' | 'event', id: string): string {
  const text = `${kind}\u0000${id}`;
  return lane(text, 0x811c9dc5) + lane(text, 0x050c5d1f);
}

function lane(text: string, seed: number): string {
  let h = seed;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0).toString(16).padStart(8, '0');
}

import { hash32 } from './hash-to-unit-interval';

/**
 * A 64-bit digest (16 hex characters) of a span or event id, remembered per trace so a late
 * record already folded into the summary is recognised on replay. Two independent 32-bit lanes
 * (different FNV seeds): at 4,096 records per trace a collision (a late record wrongly taken as
 * seen) has odds around 1e-12. Pure and tiny; no crypto needed (ids are not secrets).
 */
export function recordDigest(kind: 'span' | 'event', id: string): string {
  const text = `${kind}\u0000${id}`;
  return hex(hash32(text)) + hex(hash32(text, 0x050c5d1f));
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}

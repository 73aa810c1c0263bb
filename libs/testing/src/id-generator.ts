import { randomBytes } from 'node:crypto';

export type IdGenerator = (prefix: string) => string;

export interface FactoryOptions {
  /** Same seed, same ids: makes snapshots and replay tests stable. Omit for random ids. */
  seed?: number | string;
}

// FNV-1a: turns any seed into a 32-bit PRNG state.
function hashSeed(seed: number | string): number {
  let h = 0x811c9dc5;
  for (const ch of String(seed)) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

// mulberry32: tiny, fast and good enough for test ids.
function mulberry32(state: number): () => number {
  let a = state;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Ids look like `span-1a2b3c4d5e6f7a8b`: readable in failures, valid for IdSchema. */
export function createIdGenerator(seed?: number | string): IdGenerator {
  if (seed === undefined) return (prefix) => `${prefix}-${randomBytes(8).toString('hex')}`;
  const next = mulberry32(hashSeed(seed));
  return (prefix) =>
    `${prefix}-${next().toString(16).padStart(8, '0')}${next().toString(16).padStart(8, '0')}`;
}

/** 2025-01-01T00:00:00Z: a fixed clock so factory output does not depend on when tests run. */
export const FIXED_TIME_MS = Date.UTC(2025, 0, 1);

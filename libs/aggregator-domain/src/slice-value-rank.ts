/**
 * The order that decides which slice values survive the per-dimension bound: FNV-1a of the
 * value, ties broken by the value itself. It depends on the value alone (never on arrival order
 * or counts), so "the N lowest-ranked values" is mergeable: the N lowest of a union are among the
 * N lowest of every part that saw them. That is what makes the fold into "other" identical
 * whether traces came through 1 or 3 instances (see ADR 0008).
 */
export function sliceValueHash(value: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    hash ^= value.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function compareSliceRank(aHash: number, a: string, bHash: number, b: string): number {
  if (aHash !== bHash) return aHash - bHash;
  return a < b ? -1 : a > b ? 1 : 0;
}

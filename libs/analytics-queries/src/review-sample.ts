import { createHash } from 'node:crypto';

/** A trace that may be picked for human review. */
export interface ReviewCandidate {
  trace_id: string;
  task_type: string;
  /** `failure` or `success` (see DESIGN: not completed, errors, timeout, negative, escalated). */
  outcome: 'failure' | 'success';
}

/** Deterministic rank of a trace within a draw: the same seed and id give the same order. */
function rank(seed: string, traceId: string): string {
  return createHash('sha256').update(`${seed}\u0000${traceId}`).digest('hex');
}

/**
 * `count` traces to review, stratified by (task type, outcome): strata take turns (round robin,
 * in name order), each giving its lowest-ranked trace not yet taken, so every task type and
 * both outcomes are represented before any stratum gets a second pick. Deterministic for a
 * given seed (the report uses the week's start), whatever order candidates arrive in.
 */
export function pickReviewTraces<T extends ReviewCandidate>(
  candidates: readonly T[],
  count: number,
  seed: string,
): T[] {
  const strata = new Map<string, { key: string; items: { rank: string; item: T }[] }>();
  for (const item of candidates) {
    const key = `${item.task_type}\u0000${item.outcome}`;
    let stratum = strata.get(key);
    if (stratum === undefined) strata.set(key, (stratum = { key, items: [] }));
    stratum.items.push({ rank: rank(seed, item.trace_id), item });
  }
  const ordered = [...strata.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const stratum of ordered) {
    stratum.items.sort((a, b) =>
      a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : a.item.trace_id.localeCompare(b.item.trace_id),
    );
  }
  const picked: T[] = [];
  for (let round = 0; picked.length < count; round += 1) {
    let any = false;
    for (const stratum of ordered) {
      const next = stratum.items[round];
      if (next === undefined) continue;
      any = true;
      picked.push(next.item);
      if (picked.length === count) break;
    }
    if (!any) break;
  }
  return picked;
}

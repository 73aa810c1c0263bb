/** Cuts tried on cityHash64(trace_id): level k keeps hashes below 2^(64 − k) (k = 0: no cut). */
export const REVIEW_HASH_CUT_LEVELS = 12;

/** The cut of a level as a UInt64 literal (level 0 reads every stratum whole instead). */
export function reviewHashCut(level: number): string {
  return level === 0 ? '18446744073709551615' : (1n << BigInt(64 - level)).toString();
}

/** One (task type, outcome) stratum: its rows, and how many hash below each level's cut. */
export interface StratumCount {
  key: string;
  rows: number;
  /** below[k − 1]: rows whose hash is below level k's cut, k = 1…REVIEW_HASH_CUT_LEVELS. */
  below: readonly number[];
}

/**
 * The cut that reads the fewest rows while keeping the review pick exact: a stratum's `want`
 * lowest hashes are all below a cut when at least `want` of its rows are, else the stratum is
 * read whole. Returns the level and the strata to read whole at it.
 */
export function chooseReviewHashCut(
  strata: readonly StratumCount[],
  want: number,
): { level: number; whole: string[] } {
  // Level 0: no cut, every stratum read whole.
  let best = {
    level: 0,
    whole: strata.map((stratum) => stratum.key),
    rows: strata.reduce((sum, stratum) => sum + stratum.rows, 0),
  };
  for (let level = 1; level <= REVIEW_HASH_CUT_LEVELS; level++) {
    let rows = 0;
    const whole: string[] = [];
    for (const stratum of strata) {
      const below = stratum.below[level - 1] ?? 0;
      if (below >= want) rows += below;
      else {
        rows += stratum.rows;
        whole.push(stratum.key);
      }
    }
    if (rows < best.rows) best = { level, whole, rows };
  }
  return { level: best.level, whole: best.whole };
}

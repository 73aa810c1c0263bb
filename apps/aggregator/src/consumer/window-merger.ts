import {
  combinePartials,
  DAY_MS,
  HOUR_MS,
  mergePartials,
  rollupPartials,
  type PartialWindow,
  type SatisfactionWeights,
} from '@agentmon/aggregator-domain';
import type { MetricWindow } from '@agentmon/contracts';
import type { AggregatorSinks, ClaimedWindow, WindowRow } from '../ports/aggregator-sinks.port';

export interface MergeReport {
  windows: number;
  revisions: number;
  rollups: number;
}

/**
 * The merge step, run by whichever instance claims a series window (see ADR 0008): every
 * stored partial of the window (all partitions, all generations) → windows of every slice with
 * revision = the number of partials stored, plus one combined partial that feeds the hourly
 * rollup, whose combined partial feeds the daily one. Rollups re-merge sums and sketch buckets
 * (never averages of averages); their revision is the sum of their inputs' revisions, so it
 * only grows and a re-run gives the same rows.
 */
export class WindowMerger {
  constructor(
    private readonly sinks: AggregatorSinks,
    private readonly maxValuesPerDimension: number,
    private readonly mergesPerCycle: number,
    /** Implicit satisfaction index weights; the domain's defaults when absent. */
    private readonly satisfactionWeights?: SatisfactionWeights,
  ) {}

  async run(now: number): Promise<MergeReport> {
    const report: MergeReport = { windows: 0, revisions: 0, rollups: 0 };
    for (;;) {
      const claims = await this.sinks.claimMerges(now, this.mergesPerCycle);
      if (claims.length === 0) return report;
      await this.merge(claims, now, report);
      if (claims.length < this.mergesPerCycle) return report;
    }
  }

  private async merge(claims: ClaimedWindow[], now: number, report: MergeReport): Promise<void> {
    const limit = this.maxValuesPerDimension;
    const rows: WindowRow[] = [];
    const minuteWindows: MetricWindow[] = [];
    const minuteCombined: PartialWindow[] = [];
    for (const claim of claims) {
      if (claim.partials.length === 0) continue;
      const windows = mergePartials(claim.partials, {
        computedAt: now,
        maxValuesPerDimension: limit,
        revision: claim.version,
        satisfactionWeights: this.satisfactionWeights,
      });
      const [combined] = combinePartials(claim.partials, {
        revision: claim.version,
        maxValuesPerDimension: limit,
      });
      minuteCombined.push(combined!);
      windows.forEach((window, i) =>
        rows.push(i === 0 ? { window, partial: combined } : { window }),
      );
      minuteWindows.push(...windows);
      report.windows += 1;
      if (claim.version > 1) report.revisions += 1;
    }
    if (minuteCombined.length > 0) {
      const hourly = await this.rollup('hour', minuteCombined, HOUR_MS, now, rows);
      await this.rollup('day', hourly, DAY_MS, now, rows);
      report.rollups += hourly.length;
      await this.sinks.writeWindows(rows, minuteWindows);
    }
    await this.sinks.completeMerges(claims);
  }

  /** Stores the inputs of each touched bucket, re-merges the bucket, returns its combined partials. */
  private async rollup(
    level: 'hour' | 'day',
    inputs: PartialWindow[],
    sizeMs: number,
    now: number,
    rows: WindowRow[],
  ): Promise<PartialWindow[]> {
    const limit = this.maxValuesPerDimension;
    const buckets = await this.sinks.storeRollupInputs(level, inputs);
    const combined: PartialWindow[] = [];
    for (const bucket of buckets) {
      if (bucket.inputs.length === 0) continue;
      const windows = rollupPartials(bucket.inputs, sizeMs, {
        computedAt: now,
        maxValuesPerDimension: limit,
        satisfactionWeights: this.satisfactionWeights,
      });
      const [partial] = combinePartials(bucket.inputs, {
        revision: windows[0]!.revision,
        windowSizeMs: sizeMs,
        maxValuesPerDimension: limit,
      });
      windows.forEach((window, i) => rows.push(i === 0 ? { window, partial } : { window }));
      combined.push(partial!);
    }
    return combined;
  }
}

import { AggregateCell } from './aggregate-cell';
import { compareSliceRank, sliceValueHash } from './slice-value-rank';
import { OTHER_SLICE_VALUE } from './slice-values';

interface RankedCell {
  hash: number;
  cell: AggregateCell;
}

/**
 * The cells of one dimension in one partial window, at most `limit` values plus "other". It
 * keeps the `limit` lowest-ranked values seen (see slice-value-rank): a newcomer that ranks
 * below the highest kept value evicts it, whose sums fold into "other". Memory is bounded by
 * the limit whatever a tenant sends, and the kept set does not depend on arrival order.
 */
export class BoundedSliceCells {
  readonly kept = new Map<string, RankedCell>();
  other: AggregateCell | null = null;
  private worstValue: string | null = null;
  private worstHash = 0;

  constructor(private readonly limit: number) {}

  cellFor(value: string): AggregateCell {
    const hit = this.kept.get(value);
    if (hit !== undefined) return hit.cell;
    // A literal "other" tag would take a slot the merge cannot see; it joins the fold instead.
    if (value === OTHER_SLICE_VALUE) return this.otherCell();
    const hash = sliceValueHash(value);
    if (this.kept.size < this.limit) return this.keep(value, hash);
    if (compareSliceRank(hash, value, this.worstHash, this.worstValue!) > 0) {
      return this.otherCell();
    }
    const evicted = this.kept.get(this.worstValue!)!;
    this.kept.delete(this.worstValue!);
    this.otherCell().merge(evicted.cell);
    return this.keep(value, hash);
  }

  private keep(value: string, hash: number): AggregateCell {
    const cell = new AggregateCell();
    this.kept.set(value, { hash, cell });
    this.recomputeWorst();
    return cell;
  }

  // Linear in the limit, and only when the kept set changes (rare once a window is warm).
  private recomputeWorst(): void {
    this.worstValue = null;
    for (const [value, { hash }] of this.kept) {
      if (
        this.worstValue === null ||
        compareSliceRank(hash, value, this.worstHash, this.worstValue) > 0
      ) {
        this.worstValue = value;
        this.worstHash = hash;
      }
    }
  }

  private otherCell(): AggregateCell {
    return (this.other ??= new AggregateCell());
  }
}

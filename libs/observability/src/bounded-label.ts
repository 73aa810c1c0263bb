/** The label value every value past the first `limit` distinct ones is counted under. */
export const OTHER_LABEL_VALUE = 'other';

/** Default number of distinct values a tenant-fed label keeps (config: METRICS_MAX_LABEL_VALUES). */
export const DEFAULT_MAX_LABEL_VALUES = 20;

export interface BoundedLabelOptions {
  /** Distinct values kept as themselves; later new values become `other`. */
  limit?: number;
  /** Longer values are cut to this many characters before they are counted as a value. */
  maxLength?: number;
}

/**
 * A Prometheus label value taken from tenant data (a model name, a tool name…) without letting
 * tenants create series at will: the first `limit` distinct values are kept, every later one is
 * reported as `other`, so a metric carrying it has at most `limit + 1` series for that label.
 * First-come (not top-N by count) so a series, once exported, never silently changes meaning.
 */
export class BoundedLabel {
  readonly limit: number;
  private readonly maxLength: number;
  private readonly kept = new Set<string>();

  constructor(options: BoundedLabelOptions = {}) {
    this.limit = options.limit ?? DEFAULT_MAX_LABEL_VALUES;
    this.maxLength = options.maxLength ?? 64;
    if (!Number.isInteger(this.limit) || this.limit < 0)
      throw new RangeError(`BoundedLabel limit must be a non-negative integer, got ${this.limit}`);
  }

  /** The value to export for `raw`: itself (cut to maxLength) while there is room, else `other`. */
  value(raw: string): string {
    const value = raw.slice(0, this.maxLength);
    if (this.kept.has(value)) return value;
    if (this.kept.size >= this.limit) return OTHER_LABEL_VALUE;
    this.kept.add(value);
    return value;
  }
}

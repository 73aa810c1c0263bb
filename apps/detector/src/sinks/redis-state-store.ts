import {
  DETECTOR_SERIES_KEY_PREFIX,
  BASELINE_RESETS_KEPT,
  BASELINE_RESETS_STREAM,
  BaselineResetRecordSchema,
  toBaselineReset,
} from '@agentmon/detector-domain';
import type Redis from 'ioredis';
import type { LoggedReset, StoredSeries } from '../ports/detector-sinks.port';

export const SERIES_KEY_PREFIX = DETECTOR_SERIES_KEY_PREFIX;

/** What the store reports: unreadable state (dropped, the series warms up again), bad reset entries. */
export interface StateStoreEvents {
  stateUnreadable(count: number): void;
  resetUnreadable(count: number): void;
}

/**
 * Chart state in Redis, one JSON value per series with a TTL (idle series are forgotten), plus
 * the baseline-reset stream written by `agentmon baseline reset`. One round trip per cycle reads
 * both: MGET of the cycle's series and XRANGE of the stream after the last entry seen. Resets are
 * kept in memory (the latest BASELINE_RESETS_KEPT) so each series applies the ones it has not.
 */
export class RedisStateStore {
  private readonly resets: LoggedReset[] = [];
  private lastResetId = '-';

  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
    private readonly events: StateStoreEvents,
    private readonly prefix = SERIES_KEY_PREFIX,
  ) {}

  async load(
    seriesKeys: readonly string[],
  ): Promise<{ stored: (StoredSeries | null)[]; resets: readonly LoggedReset[] }> {
    const pipeline = this.redis.pipeline();
    if (seriesKeys.length > 0) pipeline.mget(...seriesKeys.map((k) => this.prefix + k));
    const start = this.lastResetId === '-' ? '-' : `(${this.lastResetId}`;
    pipeline.xrange(BASELINE_RESETS_STREAM, start, '+', 'COUNT', BASELINE_RESETS_KEPT);
    const replies = (await pipeline.exec()) ?? [];
    for (const [error] of replies) if (error) throw error;
    const values = seriesKeys.length > 0 ? (replies[0][1] as (string | null)[]) : [];
    const entries = replies[replies.length - 1][1] as [string, string[]][];
    this.takeResets(entries);
    let unreadable = 0;
    const stored = values.map((value) => {
      if (value === null) return null;
      const parsed = parseStored(value);
      if (!parsed) unreadable++;
      return parsed;
    });
    if (unreadable > 0) this.events.stateUnreadable(unreadable);
    return { stored, resets: this.resets };
  }

  async save(states: ReadonlyMap<string, StoredSeries>): Promise<void> {
    if (states.size === 0) return;
    const pipeline = this.redis.pipeline();
    for (const [key, value] of states) {
      pipeline.set(this.prefix + key, JSON.stringify(value), 'EX', this.ttlSeconds);
    }
    const replies = (await pipeline.exec()) ?? [];
    for (const [error] of replies) if (error) throw error;
  }

  private takeResets(entries: readonly [string, string[]][]): void {
    let bad = 0;
    for (const [id, fields] of entries) {
      this.lastResetId = id;
      const at = fields.indexOf('reset');
      let json: unknown;
      try {
        json = at >= 0 ? JSON.parse(fields[at + 1]) : undefined;
      } catch {
        json = undefined;
      }
      const parsed = BaselineResetRecordSchema.safeParse(json);
      if (!parsed.success) {
        bad++;
        continue;
      }
      this.resets.push({ id, reset: toBaselineReset(parsed.data) });
    }
    if (this.resets.length > BASELINE_RESETS_KEPT) {
      this.resets.splice(0, this.resets.length - BASELINE_RESETS_KEPT);
    }
    if (bad > 0) this.events.resetUnreadable(bad);
  }
}

function parseStored(text: string): StoredSeries | null {
  try {
    const value = JSON.parse(text) as Partial<StoredSeries> | null;
    if (
      value === null ||
      value.v !== 1 ||
      typeof value.resetCursor !== 'string' ||
      typeof value.series !== 'object' ||
      value.series === null ||
      typeof value.series.charts !== 'object' ||
      typeof value.series.tracks !== 'object'
    ) {
      return null;
    }
    return value as StoredSeries;
  } catch {
    return null;
  }
}

import {
  encodeDeadLetterValue,
  encodeTopicRecord,
  Topics,
  type Alert,
  type MetricWindow,
} from '@agentmon/contracts';
import {
  pointFromMetricWindow,
  seriesKey,
  type ApplyOutcome,
  type DetectorEngine,
} from '@agentmon/detector-domain';
import type { DecodedRecord } from '@agentmon/kafka';
import { RecordUnitsStage, type StageDeadLetter } from '@agentmon/stream-runtime';
import type { DetectorSinks, StoredSeries } from '../ports/detector-sinks.port';
import { applyBatch } from './apply-batch';

/** One metric window of the input as a unit of output (its alerts and state go with it). */
export interface DetectorUnit {
  partition: number;
  offset: string;
  key: string | null;
  window: MetricWindow;
}

/** What the stage reports besides the runtime's own metrics (counted once a write succeeded). */
export interface DetectorEvents {
  pointsApplied(outcomes: Record<ApplyOutcome, number>): void;
  alertsEmitted(alerts: readonly Alert[]): void;
  resetsApplied(count: number): void;
}

/**
 * metric windows → alert state changes. Ingestion only queues the windows; the write phase loads
 * the series' chart state from Redis, runs the pure engine (applyBatch), records and publishes
 * the alerts, then stores the state. A crash anywhere replays the uncommitted windows against
 * the state stored before them: the same alerts (deterministic ids) and the same state.
 */
export class DetectorStage extends RecordUnitsStage<typeof Topics.metrics, DetectorUnit> {
  readonly input = Topics.metrics;
  /**
   * The stored state of recently seen series (LRU, at most `maxCachedSeries`), exactly as it is in
   * Redis: a series belongs to one partition, so while this instance owns the partition nobody
   * else writes it. Entries enter only after a successful save, leave on any failed write of
   * their series (the engine mutates state in place) and when their partition is revoked.
   */
  private readonly cache = new Map<string, { partition: number; stored: StoredSeries }>();

  constructor(
    private readonly engine: DetectorEngine,
    private readonly sinks: DetectorSinks,
    private readonly events: DetectorEvents,
    private readonly maxCachedSeries = 20_000,
  ) {
    super();
  }

  get cachedSeries(): number {
    return this.cache.size;
  }

  protected toUnit(partition: number, record: DecodedRecord<MetricWindow>): DetectorUnit {
    return { partition, offset: record.offset, key: record.key, window: record.value };
  }

  override revokePartition(partition: number): void {
    super.revokePartition(partition);
    for (const [key, entry] of this.cache)
      if (entry.partition === partition) this.cache.delete(key);
  }

  async write(units: readonly DetectorUnit[]): Promise<void> {
    const points = units.map((unit) => pointFromMetricWindow(unit.window));
    const partitions = new Map<string, number>();
    points.forEach((p, i) => partitions.set(seriesKey(p.projectId, p.slice), units[i].partition));
    const keys = [...partitions.keys()];
    const result = await this.applyAndStore(keys, points).catch((error: unknown) => {
      for (const key of keys) this.cache.delete(key);
      throw error;
    });
    for (const key of keys) {
      const stored = result.states.get(key) ?? this.cache.get(key)?.stored;
      this.cache.delete(key);
      if (stored) this.cache.set(key, { partition: partitions.get(key)!, stored });
    }
    for (const key of this.cache.keys()) {
      if (this.cache.size <= this.maxCachedSeries) break;
      this.cache.delete(key);
    }
    this.events.pointsApplied(result.outcomes);
    if (result.alerts.length > 0) this.events.alertsEmitted(result.alerts);
    if (result.resetsApplied > 0) this.events.resetsApplied(result.resetsApplied);
  }

  private async applyAndStore(
    keys: readonly string[],
    points: ReturnType<typeof pointFromMetricWindow>[],
  ) {
    const missing = keys.filter((key) => !this.cache.has(key));
    const loaded = await this.sinks.load(missing);
    const fromRedis = new Map(missing.map((key, i) => [key, loaded.stored[i]]));
    const stored = keys.map((key) =>
      fromRedis.has(key) ? fromRedis.get(key)! : this.cache.get(key)!.stored,
    );
    const result = applyBatch(this.engine, keys, stored, loaded.resets, points);
    if (result.alerts.length > 0) await this.sinks.emit(result.alerts);
    if (result.states.size > 0) await this.sinks.save(result.states);
    return result;
  }

  deadLetters(unit: DetectorUnit, reason: string): StageDeadLetter[] {
    return [
      {
        key: unit.key,
        letter: {
          source_topic: Topics.metrics,
          partition: unit.partition,
          offset: unit.offset,
          key: unit.key,
          value: encodeDeadLetterValue(encodeTopicRecord(Topics.metrics, unit.window)),
          reason: 'sink_rejected',
          message: reason.slice(0, 4096),
          issues: [],
        },
      },
    ];
  }
}

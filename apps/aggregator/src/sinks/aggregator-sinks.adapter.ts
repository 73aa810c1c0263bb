import type { PartialWindow } from '@agentmon/aggregator-domain';
import { MetricWindowSchema, Topics, type MetricWindow } from '@agentmon/contracts';
import type { TopicProducer } from '@agentmon/kafka';
import type { ClickHouseTableSink } from '@agentmon/stream-runtime';
import type {
  AggregatorSinks,
  ClaimedWindow,
  PartialMemo,
  PartitionMark,
  RollupLevel,
  WindowRow,
} from '../ports/aggregator-sinks.port';
import type { HotWindows } from './hot-windows';
import { toMetricWindowRow, type MetricWindowRow } from './metric-window-rows';
import type { WindowStateStore } from './window-state-store';

/** The real sinks: shared state in Redis, windows in ClickHouse, Redis hot keys and Kafka. */
export class AggregatorSinksAdapter implements AggregatorSinks {
  /** Windows refused by their own contract so far (read by the metrics). */
  invalid = 0;

  constructor(
    private readonly state: WindowStateStore,
    private readonly table: ClickHouseTableSink<MetricWindowRow>,
    private readonly hot: HotWindows,
    private readonly producer: TopicProducer,
  ) {}

  claimPartition(partition: number): Promise<{ epoch: number; memos: PartialMemo[] }> {
    return this.state.claimPartition(partition);
  }

  storePartials(
    partials: readonly PartialWindow[],
    marks: readonly PartitionMark[],
    epochs: ReadonlyMap<number, number>,
    memoHorizons: ReadonlyMap<number, number>,
  ): Promise<number[]> {
    return this.state.storePartials(partials, marks, epochs, memoHorizons);
  }

  claimMerges(now: number, limit: number): Promise<ClaimedWindow[]> {
    return this.state.claimMerges(now, limit);
  }

  storeRollupInputs(level: RollupLevel, partials: readonly PartialWindow[]) {
    return this.state.storeRollupInputs(level, partials);
  }

  /**
   * ClickHouse first (the durable record), then the metrics topic, then the hot keys: whatever
   * the detector or the console saw is queryable, and a crash in between re-runs the merge into
   * the same rows (same revision; ReplacingMergeTree and downstream dedupe by revision).
   */
  async writeWindows(
    rows: readonly WindowRow[],
    minuteWindows: readonly MetricWindow[],
  ): Promise<void> {
    // A window that breaks its own contract (negative sums from a revision whose original was
    // never counted here, e.g. expired) is neither stored nor published; it is counted.
    const isValid = (w: MetricWindow) => MetricWindowSchema.safeParse(w).success;
    const validRows = rows.filter((row) => isValid(row.window));
    const valid = minuteWindows.filter(isValid);
    this.invalid += rows.length - validRows.length;
    await this.table.insert(validRows.map((row) => toMetricWindowRow(row.window, row.partial)));
    await this.producer.publish(Topics.metrics, valid);
    await this.hot.putMany(valid);
  }

  completeMerges(claims: readonly ClaimedWindow[]): Promise<void> {
    return this.state.completeMerges(claims);
  }
}

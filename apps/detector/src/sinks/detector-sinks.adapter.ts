import { Topics, type Alert } from '@agentmon/contracts';
import type { TopicProducer } from '@agentmon/kafka';
import type { ClickHouseTableSink } from '@agentmon/stream-runtime';
import type { DetectorSinks, LoggedReset, StoredSeries } from '../ports/detector-sinks.port';
import { AlertRow, toAlertRow } from './alert-rows';
import type { RedisStateStore } from './redis-state-store';

/** The real sinks: ClickHouse `alerts`, the alerts topic (keyed project|metric), Redis state. */
export class DetectorSinksAdapter implements DetectorSinks {
  constructor(
    private readonly alertTable: ClickHouseTableSink<AlertRow>,
    private readonly producer: TopicProducer,
    private readonly store: RedisStateStore,
  ) {}

  load(
    seriesKeys: readonly string[],
  ): Promise<{ stored: (StoredSeries | null)[]; resets: readonly LoggedReset[] }> {
    return this.store.load(seriesKeys);
  }

  /**
   * The alert log first (a refused row is a PermanentError before anything went out), then the
   * topic: an alert a notifier can see is always queryable. Both are idempotent by alert_id.
   */
  async emit(alerts: readonly Alert[]): Promise<void> {
    await this.alertTable.insert(alerts.map(toAlertRow));
    await this.producer.publish(Topics.alerts, alerts);
  }

  save(states: ReadonlyMap<string, StoredSeries>): Promise<void> {
    return this.store.save(states);
  }
}

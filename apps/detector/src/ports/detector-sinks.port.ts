import type { Alert } from '@agentmon/contracts';
import type { BaselineReset, ProjectMixState, SeriesState } from '@agentmon/detector-domain';

/**
 * One series' chart state as stored (Redis, one key per series): the engine's SeriesState, the
 * project's traffic-mix state on the overall series (drift is scored from the overall window, so
 * it lives on that series' partition), and the last baseline reset already applied to it.
 */
export interface StoredSeries {
  v: 1;
  series: SeriesState;
  project?: ProjectMixState;
  resetCursor: string;
}

/** A baseline reset request with its position in the reset log (Redis stream id). */
export interface LoggedReset {
  id: string;
  reset: BaselineReset;
}

/**
 * Everything the detector reads from or writes to the outside world (adapter: ../sinks; specs:
 * ../test/in-memory-sinks.ts). `emit` and `save` are idempotent: a replay of the same windows
 * against the same stored state yields the same alerts (deterministic ids) and the same state.
 */
export interface DetectorSinks {
  /** Stored state per series key (null = none or unreadable), and every reset logged so far (oldest first, bounded). */
  load(
    seriesKeys: readonly string[],
  ): Promise<{ stored: (StoredSeries | null)[]; resets: readonly LoggedReset[] }>;
  /** Records the alerts in ClickHouse and publishes them on the alerts topic. */
  emit(alerts: readonly Alert[]): Promise<void>;
  /** Stores the series states (after `emit`: a crash in between replays into the same alerts). */
  save(states: ReadonlyMap<string, StoredSeries>): Promise<void>;
}

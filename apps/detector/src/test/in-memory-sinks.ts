import type { Alert } from '@agentmon/contracts';
import type { BaselineReset } from '@agentmon/detector-domain';
import type { DetectorSinks, LoggedReset, StoredSeries } from '../ports/detector-sinks.port';

/**
 * The sinks port over plain maps (same contract as the real adapter). State is kept as JSON text,
 * as in Redis, so specs exercise the round trip. `failSaves` makes the next saves throw after
 * the alerts went out: a crash between publication and the state write.
 */
export class InMemorySinks implements DetectorSinks {
  readonly published: Alert[] = [];
  readonly logged = new Map<string, Alert>();
  readonly states = new Map<string, string>();
  readonly resets: LoggedReset[] = [];
  failSaves = 0;
  private resetSeq = 0;

  addReset(reset: BaselineReset): void {
    this.resetSeq += 1;
    this.resets.push({ id: `${reset.from}-${this.resetSeq}`, reset });
  }

  async load(
    keys: readonly string[],
  ): Promise<{ stored: (StoredSeries | null)[]; resets: readonly LoggedReset[] }> {
    return {
      stored: keys.map((key) => {
        const text = this.states.get(key);
        if (text === undefined) return null;
        try {
          const value = JSON.parse(text) as StoredSeries;
          return value.v === 1 && value.series ? value : null;
        } catch {
          return null;
        }
      }),
      resets: [...this.resets],
    };
  }

  async emit(alerts: readonly Alert[]): Promise<void> {
    for (const alert of alerts) this.logged.set(alert.alert_id, alert);
    this.published.push(...alerts);
  }

  async save(states: ReadonlyMap<string, StoredSeries>): Promise<void> {
    if (this.failSaves > 0) {
      this.failSaves -= 1;
      throw new Error('redis unavailable');
    }
    for (const [key, value] of states) this.states.set(key, JSON.stringify(value));
  }
}

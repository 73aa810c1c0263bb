import type { Alert, Silence, SilenceMatchers } from '@agentmon/contracts';
import { sameSlice } from './series';

export function silenceMatches(matchers: SilenceMatchers, alert: Alert): boolean {
  return (
    matchers.metric === alert.metric &&
    (matchers.slice === undefined || sameSlice(matchers.slice, alert.slice)) &&
    (matchers.project_id === undefined || matchers.project_id === alert.project_id)
  );
}

/** Active in [starts_at, ends_at). */
export function silenceActive(silence: Silence, now: number): boolean {
  return Date.parse(silence.starts_at) <= now && now < Date.parse(silence.ends_at);
}

/** The first active silence muting this alert, or null. */
export function findSilence(
  alert: Alert,
  silences: readonly Silence[],
  now: number,
): Silence | null {
  return silences.find((s) => silenceActive(s, now) && silenceMatches(s.matchers, alert)) ?? null;
}

/** A moment as the agent may give it; absent means now. */
export type TimeInput = number | Date | undefined;

export function toEpochMs(time: TimeInput): number {
  const ms = time instanceof Date ? time.getTime() : time;
  return typeof ms === 'number' && Number.isFinite(ms) ? Math.round(ms) : Date.now();
}

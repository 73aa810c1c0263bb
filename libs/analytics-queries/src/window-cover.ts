import type { TimeRange } from './time-range';

export const HOUR_S = 3600;
export const DAY_S = 86400;

/** Stored windows of one size whose start lies in [from, to). */
export interface CoverSegment {
  windowSizeS: number;
  from: number;
  to: number;
}

/**
 * The fewest stored windows that tile [from, to) exactly: daily rollups for whole UTC days,
 * hourly rollups for whole hours at the edges, base (minute) windows for the rest. `from` and
 * `to` must be multiples of the base window. At most five segments: minutes, hours, days,
 * hours, minutes (empty ones left out).
 */
export function coverRange(range: TimeRange, baseWindowS: number): CoverSegment[] {
  const base = baseWindowS * 1000;
  const hour = HOUR_S * 1000;
  const day = DAY_S * 1000;
  if (range.from % base !== 0 || range.to % base !== 0) {
    throw new RangeError(`period must be aligned to ${baseWindowS} s windows`);
  }
  const segments: CoverSegment[] = [];
  const push = (windowSizeS: number, from: number, to: number) => {
    if (from < to) segments.push({ windowSizeS, from, to });
  };
  // Rollups only when the base window divides an hour (the aggregator's buckets).
  if (hour % base !== 0 || baseWindowS >= HOUR_S) {
    push(baseWindowS, range.from, range.to);
    return segments;
  }
  const hFrom = Math.ceil(range.from / hour) * hour;
  const hTo = Math.floor(range.to / hour) * hour;
  if (hFrom >= hTo) {
    push(baseWindowS, range.from, range.to);
    return segments;
  }
  const dFrom = Math.ceil(hFrom / day) * day;
  const dTo = Math.floor(hTo / day) * day;
  push(baseWindowS, range.from, hFrom);
  if (dFrom >= dTo) {
    push(HOUR_S, hFrom, hTo);
  } else {
    push(HOUR_S, hFrom, dFrom);
    push(DAY_S, dFrom, dTo);
    push(HOUR_S, dTo, hTo);
  }
  push(baseWindowS, hTo, range.to);
  return segments;
}

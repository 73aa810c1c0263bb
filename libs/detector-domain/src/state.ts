import type { AlertSeverity, Slice } from '@agentmon/contracts';

/** One alert condition's published state. Never rolled back: emitted changes are not retracted. */
export interface AlertTrack {
  /** Severity currently firing; null = not firing. */
  severity: AlertSeverity | null;
  /** Consecutive evaluated windows calmer than `severity` (drives resolve and de-escalation). */
  calm: number;
}

export interface DayAccumulator {
  start: number;
  /** Σ value × weight and Σ weight (weight = trace count, 1 when unknown). */
  sum: number;
  weight: number;
}

/** The numbers of one (project, slice, metric) chart. */
export interface ChartCore {
  warmCount: number;
  warmSum: number;
  /** Mean of the warm-up windows; null while warming up. */
  baseline: number | null;
  ewma: number | null;
  /** Daily rollup being filled, and the closed days (newest last) the trend test reads. */
  day: DayAccumulator | null;
  days: { start: number; value: number }[];
}

/** One window in the fast-page look-back. */
export interface FastEntry {
  end: number;
  weight: number;
  /** value × weight. */
  sum: number;
  /** Whether the window's trace count was known (pooled weight is then compared with minSamples). */
  counted: boolean;
}

/** What a higher revision of the latest window needs to recompute it: the state before it. */
export interface SeriesSnapshot {
  charts: Record<string, ChartCore>;
  fast: FastEntry[];
  calm: Record<string, number>;
}

export interface LastApplied {
  windowStart: number;
  revision: number;
  traceCount: number | null;
  flaggedCount: number | null;
  /** The overall window's traffic mix (mixSource 'overall'): a higher revision adds the difference. */
  mix?: Record<string, Record<string, number>>;
  before: SeriesSnapshot;
}

/** All state of one series (project, slice), every metric of the slice together. */
export interface SeriesState {
  projectId: string;
  slice: Slice;
  last: LastApplied | null;
  charts: Record<string, ChartCore>;
  fast: FastEntry[];
  /** Keyed `${detector}:${metric}`. */
  tracks: Record<string, AlertTrack>;
  /** Pending baseline resets: metric → first window_start they apply to. */
  resets: Record<string, number>;
}

/** Per project: hourly traffic mix per dimension and hourly flagged share (drift rules). */
export interface ProjectMixState {
  /** dimension → hour start (ms, as text) → slice value → traces. */
  mix: Record<string, Record<string, Record<string, number>>>;
  /** dimension → newest hour seen (the open hour, scored once a later hour starts). */
  openHour: Record<string, number>;
  /** hour start → traces and flagged traces (overall slice). */
  flagged: Record<string, { traces: number; flagged: number }>;
  flaggedOpenHour: number | null;
  tracks: Record<string, AlertTrack>;
}

/** The engine's whole state: plain JSON (the app keeps it in Redis). */
export interface DetectorState {
  version: 1;
  /** By seriesKey(project, slice). */
  series: Record<string, SeriesState>;
  /** By project id. */
  projects: Record<string, ProjectMixState>;
}

/** Redis key prefix of a series' stored state (+ seriesKey): the detector writes, the console reads. */
export const DETECTOR_SERIES_KEY_PREFIX = 'agentmon:detector:series:';

export function createDetectorState(): DetectorState {
  return { version: 1, series: {}, projects: {} };
}

export function serializeDetectorState(state: DetectorState): string {
  return JSON.stringify(state);
}

export function deserializeDetectorState(text: string): DetectorState {
  const parsed = JSON.parse(text) as Partial<DetectorState>;
  if (
    !parsed ||
    parsed.version !== 1 ||
    typeof parsed.series !== 'object' ||
    typeof parsed.projects !== 'object'
  ) {
    throw new Error('not a detector state (version 1)');
  }
  return parsed as DetectorState;
}

import type { ChartMetric, Slice } from '@agentmon/contracts';
import { OVERALL_SLICE, type DetectorPoint } from './point';

/** Monday 2024-03-04 00:00 UTC: the start of every synthetic series in the specs. */
export const T0 = Date.UTC(2024, 2, 4);
export const MINUTE = 60_000;

/** A one-minute window `i` minutes after T0 (spec helper; not exported from index.ts). */
export function minutePoint(
  i: number,
  values: Partial<Record<ChartMetric, number | null>>,
  opts: { traceCount?: number | null; slice?: Slice; revision?: number; projectId?: string } = {},
): DetectorPoint {
  return {
    projectId: opts.projectId ?? 'p1',
    slice: opts.slice ?? OVERALL_SLICE,
    windowStart: T0 + i * MINUTE,
    windowEnd: T0 + (i + 1) * MINUTE,
    revision: opts.revision ?? 0,
    traceCount: opts.traceCount === undefined ? 100 : opts.traceCount,
    values,
  };
}

/** Deterministic N(0, 1) stream (mulberry32 + Box–Muller). */
export function gaussian(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform() || 1e-12)) * Math.cos(2 * Math.PI * uniform());
}

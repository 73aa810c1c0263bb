import {
  ChartMetricSchema,
  SliceDimensionSchema,
  TimestampInputSchema,
  formatZodIssues,
  type AlertSeverity,
  type ChartMetric,
  type Slice,
} from '@agentmon/contracts';
import {
  createDetectorState,
  DetectorEngine,
  OVERALL_SLICE,
  severityRank,
  sliceText,
  type DetectorEngineOptions,
  type DetectorPoint,
  type PointStatus,
} from '@agentmon/detector-domain';
import { z } from 'zod';

/** Project id the replayed series belong to (selects `projects.<id>` overrides in a rules file). */
export const REPLAY_PROJECT = 'replay';

const metricFields = Object.fromEntries(
  ChartMetricSchema.options.map((m) => [
    m,
    z.number({ error: 'must be a number or null' }).nullable().optional(),
  ]),
) as Record<ChartMetric, z.ZodOptional<z.ZodNullable<z.ZodNumber>>>;

/** One replay line. Strict: a misspelt metric is an error, not a silently ignored column. */
export const ReplayLineSchema = z.strictObject({
  ts: z.union([z.string(), z.number()]).pipe(TimestampInputSchema),
  slice: z
    .string()
    .optional()
    .superRefine((s, ctx) => {
      if (s === undefined || s === 'all') return;
      const eq = s.indexOf('=');
      const dim = SliceDimensionSchema.exclude(['all']).safeParse(s.slice(0, eq));
      if (eq <= 0 || eq === s.length - 1 || !dim.success) {
        ctx.addIssue({
          code: 'custom',
          message: `must be "all" or "<dimension>=<value>" with dimension one of ${SliceDimensionSchema.options.filter((d) => d !== 'all').join(', ')}`,
        });
      }
    }),
  trace_count: z.number().int().nonnegative().nullable().optional(),
  ...metricFields,
});
export type ReplayLine = z.infer<typeof ReplayLineSchema>;

export class ReplayInputError extends Error {
  constructor(
    readonly line: number,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`line ${line}: ${field ? `${field}: ` : ''}${reason}`);
    this.name = 'ReplayInputError';
  }
}

export interface ReplayRow {
  line: number;
  /** ts and slice exactly as in the input ("all" for the overall series). */
  ts: string;
  slice: string;
  point: DetectorPoint;
}

function toSlice(text: string | undefined): Slice {
  if (text === undefined || text === 'all') return OVERALL_SLICE;
  const eq = text.indexOf('=');
  return {
    dimension: text.slice(0, eq) as Slice['dimension'],
    value: text.slice(eq + 1),
  };
}

/**
 * The adapter: JSON lines → the engine's points, in input order. A window ends where the series'
 * next line starts (the last line reuses the previous gap); a repeated ts in one series is a
 * higher revision of that window, as on the metrics topic.
 */
export function parseReplay(text: string): ReplayRow[] {
  const rows: ReplayRow[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    if (lines[i].trim() === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(lines[i]);
    } catch (error) {
      throw new ReplayInputError(lineNo, '', `not valid JSON (${(error as Error).message})`);
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      throw new ReplayInputError(lineNo, '', 'must be a JSON object');
    }
    const parsed = ReplayLineSchema.safeParse(raw);
    if (!parsed.success) {
      const [issue] = formatZodIssues(parsed.error);
      throw new ReplayInputError(lineNo, issue.path, issue.message);
    }
    const l = parsed.data;
    const slice = toSlice(l.slice);
    const values: DetectorPoint['values'] = {};
    for (const m of ChartMetricSchema.options) if (l[m] !== undefined) values[m] = l[m];
    const input = raw as { ts: unknown };
    rows.push({
      line: lineNo,
      ts: typeof input.ts === 'string' ? input.ts : String(input.ts),
      slice: sliceText(slice),
      point: {
        projectId: REPLAY_PROJECT,
        slice,
        windowStart: l.ts,
        windowEnd: l.ts,
        revision: 0,
        traceCount: l.trace_count ?? null,
        values,
      },
    });
  }
  // Window ends and revisions per series.
  const bySeries = new Map<string, ReplayRow[]>();
  for (const row of rows) {
    const list = bySeries.get(row.slice) ?? [];
    list.push(row);
    bySeries.set(row.slice, list);
  }
  for (const list of bySeries.values()) {
    const starts = [...new Set(list.map((r) => r.point.windowStart))].sort((a, b) => a - b);
    const revisions = new Map<number, number>();
    for (const row of list) {
      const start = row.point.windowStart;
      const idx = starts.indexOf(start);
      const gap =
        idx + 1 < starts.length ? starts[idx + 1] - start : idx > 0 ? start - starts[idx - 1] : 0;
      row.point.windowEnd = start + gap;
      const rev = revisions.get(start) ?? 0;
      row.point.revision = rev;
      revisions.set(start, rev + 1);
    }
  }
  return rows;
}

export interface ReplayFinding {
  ts: string;
  slice: string;
  metric: string;
  severity: AlertSeverity;
}

/**
 * Runs the rows through the live detector's engine: one finding per (point, metric, slice)
 * beyond a threshold after taking the point, highest severity only, in input order.
 */
export function replay(
  rows: readonly ReplayRow[],
  options: DetectorEngineOptions,
): ReplayFinding[] {
  const engine = new DetectorEngine(options);
  const state = createDetectorState();
  const out: ReplayFinding[] = [];
  for (const row of rows) {
    const { statuses } = engine.apply(state, row.point);
    out.push(...findingsOf(row, statuses));
  }
  return out;
}

/** Highest severity per (metric, slice) among a point's statuses, first-seen order. */
export function findingsOf(
  row: Pick<ReplayRow, 'ts' | 'slice' | 'point'>,
  statuses: readonly PointStatus[],
): ReplayFinding[] {
  const best = new Map<string, ReplayFinding>();
  for (const s of statuses) {
    const slice =
      s.slice.dimension === row.point.slice.dimension && s.slice.value === row.point.slice.value
        ? row.slice
        : sliceText(s.slice);
    const key = `${s.metric}\u0000${slice}`;
    const prev = best.get(key);
    if (!prev || severityRank(s.severity) > severityRank(prev.severity)) {
      best.set(key, { ts: row.ts, slice, metric: s.metric, severity: s.severity });
    }
  }
  return [...best.values()];
}

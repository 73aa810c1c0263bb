import { type Silence, SilenceSchema, SliceSchema, type Slice } from '@agentmon/contracts';
import { formatDuration } from './metric-format';
import { sliceLabel } from './series';

/** Where silences live under the notifier's Redis prefix (a hash: silence id → Silence JSON). */
export function silencesKey(prefix: string): string {
  return `${prefix}silences`;
}

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** "2h", "90m", "1h30m", "7d" → milliseconds; throws RangeError naming the input otherwise. */
export function parseDurationMs(text: string): number {
  const trimmed = text.trim();
  if (!/^(\d+[smhdw])+$/.test(trimmed)) {
    throw new RangeError(`invalid duration "${text}" (expected e.g. 30m, 2h, 1h30m, 7d)`);
  }
  let total = 0;
  for (const [, n, unit] of trimmed.matchAll(/(\d+)([smhdw])/g)) total += Number(n) * UNIT_MS[unit];
  if (total <= 0) throw new RangeError(`duration "${text}" must be longer than 0`);
  return total;
}

/** "task_type=code_debugging" → a Slice; "all" → the overall series. Throws naming the problem. */
export function parseSliceLabel(label: string): Slice {
  const text = label.trim();
  const candidate =
    text === 'all'
      ? { dimension: 'all', value: '*' }
      : { dimension: text.slice(0, text.indexOf('=')), value: text.slice(text.indexOf('=') + 1) };
  if (text !== 'all' && !text.includes('=')) {
    throw new RangeError(
      `invalid slice "${label}" (expected dimension=value, e.g. platform=mobile)`,
    );
  }
  const parsed = SliceSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RangeError(
      `invalid slice "${label}": ${issue.path.join('.') || 'slice'} ${issue.message}`,
    );
  }
  return parsed.data;
}

export interface NewSilence {
  id: string;
  metric: string;
  slice?: string;
  project_id?: string;
  duration_ms: number;
  reason: string;
  created_by?: string;
}

/** A silence from the CLI's flags, validated with the contract schema (throws the zod error). */
export function buildSilence(input: NewSilence, now: number): Silence {
  return SilenceSchema.parse({
    id: input.id,
    matchers: {
      metric: input.metric,
      ...(input.slice !== undefined ? { slice: parseSliceLabel(input.slice) } : {}),
      ...(input.project_id !== undefined ? { project_id: input.project_id } : {}),
    },
    starts_at: new Date(now).toISOString(),
    ends_at: new Date(now + input.duration_ms).toISOString(),
    reason: input.reason,
    ...(input.created_by ? { created_by: input.created_by } : {}),
  });
}

/** `silence expire`: ends now (kept for the listing); an already ended silence is unchanged. */
export function expireSilence(silence: Silence, now: number): Silence {
  if (Date.parse(silence.ends_at) <= now) return silence;
  const startsAt = Math.min(Date.parse(silence.starts_at), now);
  return {
    ...silence,
    starts_at: new Date(startsAt).toISOString(),
    ends_at: new Date(now).toISOString(),
  };
}

export type SilenceStatus = 'active' | 'pending' | 'expired';

export function silenceStatus(silence: Silence, now: number): SilenceStatus {
  if (now < Date.parse(silence.starts_at)) return 'pending';
  return now < Date.parse(silence.ends_at) ? 'active' : 'expired';
}

/** One row of `silence list`. */
export interface SilenceRow {
  id: string;
  status: SilenceStatus;
  metric: string;
  slice: string;
  project: string;
  ends_at: string;
  remaining: string;
  reason: string;
  created_by: string;
}

export function silenceRow(silence: Silence, now: number): SilenceRow {
  const status = silenceStatus(silence, now);
  return {
    id: silence.id,
    status,
    metric: silence.matchers.metric,
    slice: silence.matchers.slice ? sliceLabel(silence.matchers.slice) : '*',
    project: silence.matchers.project_id ?? '*',
    ends_at: silence.ends_at,
    remaining: status === 'expired' ? '-' : formatDuration(Date.parse(silence.ends_at) - now),
    reason: silence.reason,
    created_by: silence.created_by ?? '',
  };
}

/** Active first, then pending, then expired; each by end time. */
export function sortSilences(silences: readonly Silence[], now: number): Silence[] {
  const rank: Record<SilenceStatus, number> = { active: 0, pending: 1, expired: 2 };
  return [...silences].sort(
    (a, b) =>
      rank[silenceStatus(a, now)] - rank[silenceStatus(b, now)] ||
      Date.parse(a.ends_at) - Date.parse(b.ends_at) ||
      a.id.localeCompare(b.id),
  );
}

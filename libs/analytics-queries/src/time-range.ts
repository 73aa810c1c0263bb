/** A period [from, to) in epoch milliseconds. */
export interface TimeRange {
  from: number;
  to: number;
}

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** Thrown for a bad --since/--until value; the message names the option. */
export class TimeArgumentError extends Error {
  constructor(option: string, value: string, reason: string) {
    super(`${option} "${value}": ${reason}`);
    this.name = 'TimeArgumentError';
  }
}

/**
 * A duration like `90m`, `24h`, `7d`, `2w`, `30s` → milliseconds; null when `text` is not one.
 * Combined forms (`1d12h`) are accepted.
 */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim();
  if (!/^(\d+[smhdw])+$/.test(trimmed)) return null;
  let total = 0;
  for (const match of trimmed.matchAll(/(\d+)([smhdw])/g)) {
    total += Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  }
  return total;
}

/**
 * `--since`/`--until` value → epoch ms: a duration counts back from `now` (`24h` = 24 hours
 * ago), `now` is now, anything else must be an ISO-8601 time with a date.
 */
export function parseTimeArgument(option: string, text: string, now: number): number {
  if (text.trim() === 'now') return now;
  const duration = parseDuration(text);
  if (duration !== null) return now - duration;
  if (!/^\d{4}-\d{2}-\d{2}/.test(text.trim())) {
    throw new TimeArgumentError(
      option,
      text,
      'use a duration (90m, 24h, 7d, 2w) or an ISO-8601 time',
    );
  }
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new TimeArgumentError(option, text, 'not a valid ISO-8601 time');
  return ms;
}

/**
 * The period a command reads: `since` (default `defaultSince`) to `until` (default now), both
 * rounded to whole windows of `alignMs` (from down, to up) so the period is made of stored
 * windows. Refuses an empty or reversed period, naming the option.
 */
export function resolveTimeRange(
  options: { since?: string; until?: string },
  now: number,
  defaults: { since: string; alignMs?: number },
): TimeRange {
  const to = options.until === undefined ? now : parseTimeArgument('--until', options.until, now);
  const from = parseTimeArgument('--since', options.since ?? defaults.since, now);
  const align = defaults.alignMs ?? 1;
  const range = { from: Math.floor(from / align) * align, to: Math.ceil(to / align) * align };
  if (range.from >= range.to) {
    throw new TimeArgumentError(
      '--since',
      options.since ?? defaults.since,
      `must be before --until (${new Date(to).toISOString()})`,
    );
  }
  return range;
}

/** Longest server-requested wait we honour; a broken proxy's `Retry-After: 86400` must not park the exporter for a day. */
export const MAX_RETRY_AFTER_MS = 60_000;

/** Retry-After as delta-seconds or an HTTP date (RFC 9110 §10.2.3), in ms from `now`. */
export function parseRetryAfter(
  header: string | null | undefined,
  now = Date.now(),
): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.min(Number(trimmed) * 1000, MAX_RETRY_AFTER_MS);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.min(Math.max(0, date - now), MAX_RETRY_AFTER_MS);
}

export interface RetryDelayOptions {
  /** 0 for the first retry. */
  attempt: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  retryAfterMs?: number;
  random?: () => number;
}

/**
 * Exponential backoff with full jitter (so many agents that lost the gateway together do not
 * come back together), but never sooner than the gateway asked for with Retry-After.
 */
export function retryDelayMs(options: RetryDelayOptions): number {
  const random = options.random ?? Math.random;
  const ceiling = Math.min(options.maxBackoffMs, options.initialBackoffMs * 2 ** options.attempt);
  const jittered = Math.round(random() * ceiling);
  return Math.max(jittered, options.retryAfterMs ?? 0);
}

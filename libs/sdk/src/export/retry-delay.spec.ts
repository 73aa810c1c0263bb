import { MAX_RETRY_AFTER_MS, parseRetryAfter, retryDelayMs } from './retry-delay';

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP date relative to now, never negative', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 12:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 11:00:00 GMT', now)).toBe(0);
  });

  it('ignores absent or unreadable values and caps absurd ones', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('86400', now)).toBe(MAX_RETRY_AFTER_MS);
  });
});

describe('retryDelayMs', () => {
  const base = { initialBackoffMs: 100, maxBackoffMs: 1000 };

  it('doubles the jitter ceiling per attempt up to the cap', () => {
    expect(retryDelayMs({ ...base, attempt: 0, random: () => 1 })).toBe(100);
    expect(retryDelayMs({ ...base, attempt: 3, random: () => 1 })).toBe(800);
    expect(retryDelayMs({ ...base, attempt: 10, random: () => 1 })).toBe(1000);
  });

  it('applies full jitter between 0 and the ceiling', () => {
    expect(retryDelayMs({ ...base, attempt: 2, random: () => 0 })).toBe(0);
    expect(retryDelayMs({ ...base, attempt: 2, random: () => 0.5 })).toBe(200);
  });

  it('never retries sooner than Retry-After', () => {
    expect(retryDelayMs({ ...base, attempt: 0, random: () => 0.5, retryAfterMs: 2000 })).toBe(2000);
    expect(retryDelayMs({ ...base, attempt: 3, random: () => 1, retryAfterMs: 10 })).toBe(800);
  });
});

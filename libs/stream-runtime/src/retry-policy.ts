import { backOff } from 'exponential-backoff';
import { isPermanentError, RetryableError } from './stage-errors';

export interface RetryPolicyOptions {
  /** Upper bound of the first wait; each further wait's bound doubles up to maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Attempts before the last error is thrown; Infinity retries until success or a permanent error. */
  maxAttempts: number;
}

export interface RetryHooks {
  /** After a failed attempt, before the wait (log, count, heartbeat the consumer group). */
  onRetry?: (error: unknown, attempt: number) => void | Promise<void>;
  /** Stops retrying (shutdown): the last error is thrown. */
  shouldStop?: () => boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The one retry policy of AgentMon: capped exponential backoff with full jitter (each wait is
 * uniform in [0, min(max, initial·2^n)], so instances that failed together do not retry together).
 * PermanentError is never retried; a RetryableError's retryAfterMs is waited out first.
 */
export class RetryPolicy {
  constructor(readonly options: RetryPolicyOptions) {}

  static fromConfig(config: {
    RETRY_INITIAL_DELAY_MS: number;
    RETRY_MAX_DELAY_MS: number;
  }): RetryPolicy {
    return new RetryPolicy({
      initialDelayMs: config.RETRY_INITIAL_DELAY_MS,
      maxDelayMs: config.RETRY_MAX_DELAY_MS,
      maxAttempts: Infinity,
    });
  }

  /** The same policy with another attempt cap (for example a bounded delivery attempt). */
  withMaxAttempts(maxAttempts: number): RetryPolicy {
    return new RetryPolicy({ ...this.options, maxAttempts });
  }

  run<T>(work: () => Promise<T>, hooks: RetryHooks = {}): Promise<T> {
    return backOff(work, {
      numOfAttempts: this.options.maxAttempts,
      startingDelay: this.options.initialDelayMs,
      timeMultiple: 2,
      maxDelay: this.options.maxDelayMs,
      jitter: 'full',
      delayFirstAttempt: false,
      retry: async (error: unknown, attempt: number) => {
        if (isPermanentError(error) || hooks.shouldStop?.()) return false;
        await hooks.onRetry?.(error, attempt);
        if (error instanceof RetryableError && error.retryAfterMs) await sleep(error.retryAfterMs);
        return !hooks.shouldStop?.();
      },
    });
  }
}

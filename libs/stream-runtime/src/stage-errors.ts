/**
 * How an adapter tells the runtime what a failure means. A sink that can tell decides (it knows
 * its server's error codes); anything unclassified is treated as transient, because giving up on
 * a record that a healthy sink would have taken loses data, while retrying a transient failure
 * only delays it.
 */
export class RetryableError extends Error {
  override readonly name = 'RetryableError';
  constructor(
    message: string,
    /** A server's explicit wait (HTTP Retry-After), honoured before the next attempt. */
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The input itself is refused for good (bad bytes, a constraint): retrying cannot help. */
export class PermanentError extends Error {
  override readonly name = 'PermanentError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function isPermanentError(error: unknown): error is PermanentError {
  return error instanceof PermanentError;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

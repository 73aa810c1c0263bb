import type { SpanErrorType } from '@agentmon/contracts';

/** Maps an Anthropic SDK error (duck-typed: another copy of the SDK has other classes) to a span error type. */
export function llmErrorType(error: unknown): SpanErrorType {
  const status = (error as { status?: unknown } | null)?.status;
  const name = (error as { name?: unknown } | null)?.name;
  if (status === 429 || status === 529) return 'rate_limited';
  if (status === 408 || status === 504 || (typeof name === 'string' && /timeout/i.test(name))) {
    return 'timeout';
  }
  if (status === 400 || status === 413 || status === 422) return 'invalid_input';
  return 'other';
}

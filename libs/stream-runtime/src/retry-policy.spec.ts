import { RetryPolicy } from './retry-policy';
import { PermanentError, RetryableError } from './stage-errors';

const fast = new RetryPolicy({ initialDelayMs: 1, maxDelayMs: 4, maxAttempts: Infinity });

function failing(failures: number, error: () => unknown = () => new Error('down')) {
  let calls = 0;
  const work = async () => {
    calls += 1;
    if (calls <= failures) throw error();
    return 'ok';
  };
  return { work, calls: () => calls };
}

describe('RetryPolicy', () => {
  it.each([
    ['succeeds first time', 0, 1],
    ['retries transient failures until success', 5, 6],
  ])('%s', async (_name, failures, expectedCalls) => {
    const subject = failing(failures);
    await expect(fast.run(subject.work)).resolves.toBe('ok');
    expect(subject.calls()).toBe(expectedCalls);
  });

  it('never retries a PermanentError', async () => {
    const subject = failing(3, () => new PermanentError('bad row'));
    await expect(fast.run(subject.work)).rejects.toThrow('bad row');
    expect(subject.calls()).toBe(1);
  });

  it('stops after maxAttempts with the last error', async () => {
    const subject = failing(10);
    await expect(fast.withMaxAttempts(3).run(subject.work)).rejects.toThrow('down');
    expect(subject.calls()).toBe(3);
  });

  it('calls onRetry after each failed attempt (the runtime heartbeats there)', async () => {
    const seen: number[] = [];
    await fast.run(failing(3).work, { onRetry: (_e, attempt) => void seen.push(attempt) });
    expect(seen).toEqual([1, 2, 3]);
  });

  it('stops when asked (shutdown) and throws the last error', async () => {
    let stop = false;
    const subject = failing(100);
    const run = fast.run(subject.work, {
      onRetry: (_e, attempt) => void (stop = attempt >= 2),
      shouldStop: () => stop,
    });
    await expect(run).rejects.toThrow('down');
    expect(subject.calls()).toBe(2);
  });

  it('waits at least a RetryableError retryAfterMs', async () => {
    const started = Date.now();
    const subject = failing(1, () => new RetryableError('429', 120));
    await fast.run(subject.work);
    expect(Date.now() - started).toBeGreaterThanOrEqual(115);
  });

  it('keeps every wait within [0, min(max, initial·2^n)] (full jitter)', async () => {
    const policy = new RetryPolicy({ initialDelayMs: 10, maxDelayMs: 40, maxAttempts: 6 });
    const stamps: number[] = [];
    await policy.run(failing(5).work, { onRetry: () => void stamps.push(Date.now()) });
    const waits = stamps.slice(1).map((t, i) => t - stamps[i]);
    // Generous upper slack for a busy machine; the point is the cap, not the timing.
    for (const wait of waits) expect(wait).toBeLessThan(40 + 200);
  });
});

/** Thrown by a probe when waiting longer is pointless (the server already exited). */
export class GiveUpWaiting extends Error {}

/**
 * Polls `probe` until it yields a value (anything but undefined or false) and returns it; other
 * probe errors count as "not yet". Rejects naming `what` after `timeoutMs`, or at once on
 * GiveUpWaiting.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  { timeoutMs = 30000, intervalMs = 100 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      if (error instanceof GiveUpWaiting) throw new Error(`${what}: ${error.message}`);
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const cause = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
}

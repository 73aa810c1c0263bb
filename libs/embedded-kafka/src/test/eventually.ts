/** Polls `check` until it returns true or the deadline passes (then throws with `what`). */
export async function eventually(
  what: string | (() => string),
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20000,
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for: ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

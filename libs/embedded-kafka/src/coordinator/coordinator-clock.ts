/**
 * Time source for the coordinator. Injectable so tests can drive session and rebalance timeouts
 * deterministically instead of sleeping.
 */
export interface CoordinatorClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

// Lambdas (not direct references) so the global timers are looked up at call time.
export const systemClock: CoordinatorClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * The clock the "not in the future" timestamp check reads. Injectable so tests (and replays of
 * old data) can pin it; production uses Date.now. Contract validation is the only reader.
 */
let clock: () => number = Date.now;

export function contractNow(): number {
  return clock();
}

/** Pins the contract clock; returns a function restoring the previous one. */
export function setContractClock(now: () => number): () => void {
  const previous = clock;
  clock = now;
  return () => {
    clock = previous;
  };
}

import type { CoordinatorClock } from './coordinator-clock';

/** Opaque token for a timer armed through a TimerSet. */
export interface ArmedTimer {
  readonly handle: unknown;
}

/**
 * Owns every timer the coordinator arms, so close() can cancel all of them at once and none can
 * keep the process alive (each is unref'd when the clock's handle supports it).
 */
export class TimerSet {
  private readonly live = new Set<ArmedTimer>();

  constructor(private readonly clock: CoordinatorClock) {}

  get size(): number {
    return this.live.size;
  }

  start(ms: number, fn: () => void): ArmedTimer {
    const timer: { handle: unknown } = { handle: undefined };
    timer.handle = this.clock.setTimeout(
      () => {
        this.live.delete(timer);
        fn();
      },
      Math.max(0, ms),
    );
    (timer.handle as { unref?: () => unknown } | undefined)?.unref?.();
    this.live.add(timer);
    return timer;
  }

  cancel(timer: ArmedTimer | undefined): void {
    if (timer && this.live.delete(timer)) this.clock.clearTimeout(timer.handle);
  }

  cancelAll(): void {
    for (const timer of this.live) this.clock.clearTimeout(timer.handle);
    this.live.clear();
  }
}

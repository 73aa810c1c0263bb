/**
 * Request bytes the broker holds across ALL connections (frames being read, handled or waiting
 * for their response to be written), like Kafka's `queued.max.request.bytes` memory pool.
 * A connection reserves a frame's full size when it reads the size prefix; when the pool is
 * full it stops reading its socket until another connection releases bytes. A frame larger than
 * the whole pool is still let through when nothing else is held, so it cannot wait for ever.
 */
export class InflightBudget {
  private used = 0;
  private readonly waiters = new Set<() => void>();

  constructor(readonly capacityBytes: number) {}

  get usedBytes(): number {
    return this.used;
  }

  tryReserve(bytes: number): boolean {
    if (this.used > 0 && this.used + bytes > this.capacityBytes) return false;
    this.used += bytes;
    return true;
  }

  release(bytes: number): void {
    if (bytes <= 0) return;
    this.used = Math.max(0, this.used - bytes);
    for (const wake of [...this.waiters]) {
      this.waiters.delete(wake);
      wake();
    }
  }

  /** Called once at the next release; the caller re-registers if it still does not fit. */
  onRelease(wake: () => void): void {
    this.waiters.add(wake);
  }

  cancel(wake: () => void): void {
    this.waiters.delete(wake);
  }
}

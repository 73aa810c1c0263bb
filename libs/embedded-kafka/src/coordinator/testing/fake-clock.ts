import type { CoordinatorClock } from '../coordinator-clock';

interface FakeTimer {
  id: number;
  at: number;
  fn: () => void;
}

/** Manual clock: timers fire only inside advance(), in deadline order, so tests never sleep. */
export class FakeClock implements CoordinatorClock {
  private nowMs = 0;
  private nextId = 1;
  private readonly timers = new Map<number, FakeTimer>();

  now(): number {
    return this.nowMs;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { id, at: this.nowMs + ms, fn });
    return { id, unref: () => undefined };
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete((handle as { id: number }).id);
  }

  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves time forward, firing due timers (including ones armed by earlier callbacks). */
  advance(ms: number): void {
    const target = this.nowMs + ms;
    for (;;) {
      const due = [...this.timers.values()]
        .filter((t) => t.at <= target)
        .sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers.delete(due.id);
      this.nowMs = due.at;
      due.fn();
    }
    this.nowMs = target;
  }
}

import type { PartitionLog } from '../storage/partition-log';

/**
 * Long-poll wake-ups: fetches park here keyed by partition and are released when that
 * partition's high watermark moves, instead of polling.
 */
export class DataWaiters {
  private waiters = new Map<PartitionLog, Set<() => void>>();

  notify(log: PartitionLog): void {
    const set = this.waiters.get(log);
    if (!set) return;
    this.waiters.delete(log);
    for (const wake of set) wake();
  }

  wait(logs: readonly PartitionLog[], ms: number, cancelled: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearInterval(poll);
        for (const l of logs) this.waiters.get(l)?.delete(finish);
        resolve();
      };
      const timer = setTimeout(finish, Math.max(0, ms));
      // A closed connection should not keep its fetch parked for the full max wait.
      const poll = setInterval(() => cancelled() && finish(), 250);
      for (const l of logs) {
        let set = this.waiters.get(l);
        if (!set) this.waiters.set(l, (set = new Set()));
        set.add(finish);
      }
    });
  }

  wakeAll(): void {
    for (const set of this.waiters.values()) for (const w of set) w();
    this.waiters.clear();
  }
}

/**
 * Bounded LRU of closed trace keys, each with the partition it lived on, so stragglers are
 * reported as late instead of opening phantom traces, and a revoked partition's keys can go.
 */
export class RecentlyClosedKeys {
  // Map iteration order is insertion order: the first entry is the least recently closed.
  private readonly keys = new Map<string, number>();

  constructor(private readonly capacity: number) {}

  add(key: string, partition: number): void {
    if (this.capacity === 0) return;
    this.keys.delete(key);
    this.keys.set(key, partition);
    if (this.keys.size > this.capacity) {
      this.keys.delete(this.keys.keys().next().value as string);
    }
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  forgetPartition(partition: number): void {
    for (const [key, p] of this.keys) if (p === partition) this.keys.delete(key);
  }

  get size(): number {
    return this.keys.size;
  }
}

import type { RetryPolicy } from './retry-policy';
import type { PartitionRecords, Stage, StageDeadLetter, StageInput } from './stage';
import { errorMessage, isPermanentError } from './stage-errors';

export interface StageRunnerPorts {
  /** Commits `offset` (the next record to read) for a partition of the input topic. */
  commit(partition: number, offset: string): Promise<void>;
  /** Publishes dead letters durably (acks=all) before the cycle commits past them. */
  publishDeadLetters(letters: readonly StageDeadLetter[]): Promise<void>;
  /** Keeps the consumer-group membership alive while a write is retried. */
  heartbeat(): Promise<void>;
}

export interface StageRunnerEvents {
  cycleWritten?(units: number, durationMs: number): void;
  writeRetried?(error: unknown, attempt: number): void;
  deadLettered?(count: number, reason: string): void;
  commitFailed?(error: unknown, partition: number): void;
  revoked?(partitions: number[]): void;
}

/**
 * The loop every consumer stage runs. Ingestion is synchronous; output is written in flush
 * cycles: a cycle takes everything ready so far in one synchronous step together with each
 * partition's committable offset, writes it (one round trip for all partitions consumed
 * concurrently: group commit), then commits those offsets. A crash therefore replays exactly
 * what was not yet durable. Transient write failures are retried with the one retry policy
 * (heartbeating the group, reporting the stage stuck); a permanent failure is narrowed down by
 * bisection to the units the sinks refuse, which are dead-lettered while the rest is stored.
 */
export class StageRunner<In extends StageInput, Unit> {
  private readonly partitions = new Set<number>();
  private readonly committed = new Map<number, bigint>();
  /** Per partition, the offset after the last record handed to the stage. */
  private readonly handed = new Map<number, bigint>();
  private running?: Promise<void>;
  private queued?: Promise<void>;
  private stuckSinceMs: number | null = null;
  private stopping = false;

  constructor(
    private readonly stage: Stage<In, Unit>,
    private readonly ports: StageRunnerPorts,
    private readonly retry: RetryPolicy,
    private readonly events: StageRunnerEvents = {},
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * How many leading records of a fetched batch (offsets ascending) the stage already holds.
   * Kafka resumes a partition from its committed offset after a rejoin that keeps it with this
   * instance (a session timeout, a member joining and leaving) and fetches a failed batch
   * again; a stateful stage commits behind what its state holds, so those records are in the
   * state already and handing them over again would count them twice.
   */
  heldCount(partition: number, offsets: readonly string[]): number {
    const handed = this.handed.get(partition);
    if (handed === undefined) return 0;
    let held = 0;
    while (held < offsets.length && BigInt(offsets[held]!) < handed) held++;
    return held;
  }

  /** Ingests one partition's batch; resolves once its effects are durable and committed. */
  handle(batch: PartitionRecords<In>): Promise<void> {
    const { partition, records } = batch;
    this.partitions.add(partition);
    const through =
      batch.endOffset ??
      (records.length > 0 ? BigInt(records[records.length - 1]!.offset) + 1n : undefined);
    const handed = this.handed.get(partition);
    if (through !== undefined && (handed === undefined || through > handed))
      this.handed.set(partition, through);
    const now = this.clock();
    this.stage.ingest(batch, now);
    this.stage.tick?.(now);
    return this.flush();
  }

  /** Time passes with no records (called by the ticker). */
  tick(): Promise<void> {
    this.stage.tick?.(this.clock());
    return this.flush();
  }

  /** After a rebalance: forget every partition this instance no longer owns. */
  retainPartitions(owned: readonly number[]): number[] {
    const revoked = [...this.partitions].filter((partition) => !owned.includes(partition));
    for (const partition of revoked) {
      this.stage.revokePartition(partition);
      this.partitions.delete(partition);
      this.committed.delete(partition);
      this.handed.delete(partition);
    }
    if (revoked.length > 0) this.events.revoked?.(revoked);
    return revoked;
  }

  /** Since when a write has been failing (null when healthy): readiness and the stuck gauge. */
  get stuckSince(): number | null {
    return this.stuckSinceMs;
  }

  /** Last cycle before shutdown: write and commit what is ready, stop retrying for ever. */
  async drain(): Promise<void> {
    await this.flush().catch(() => undefined);
    this.stopping = true;
  }

  /** Stops retrying at once (shutdown timed out): the state is rebuilt from Kafka by the next owner. */
  abort(): void {
    this.stopping = true;
  }

  /** Joins the next flush cycle: one runs at a time, and everything pending goes in the next. */
  flush(): Promise<void> {
    if (!this.running) {
      this.running = this.runCycle().finally(() => (this.running = undefined));
      return this.running;
    }
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.flush();
      });
    return this.queued;
  }

  private async runCycle(): Promise<void> {
    const now = this.clock();
    // Taken in one synchronous step: every unit closed before these offsets is in this cycle.
    const units = this.stage.takeOutput(now);
    const commits = new Map<number, bigint>();
    for (const partition of this.partitions) {
      const offset = this.stage.committableOffset(partition);
      if (offset !== null) commits.set(partition, offset);
    }
    if (units.length > 0) {
      const started = this.clock();
      await this.writeIsolating(units, now);
      this.events.cycleWritten?.(units.length, this.clock() - started);
    }
    await this.commit(commits);
  }

  private async writeIsolating(units: readonly Unit[], now: number): Promise<void> {
    try {
      await this.retry.run(() => this.stage.write(units, now), {
        onRetry: async (error, attempt) => {
          this.stuckSinceMs ??= this.clock();
          this.events.writeRetried?.(error, attempt);
          await this.ports.heartbeat().catch(() => undefined);
        },
        shouldStop: () => this.stopping,
      });
      this.stuckSinceMs = null;
    } catch (error) {
      if (!isPermanentError(error)) throw error;
      if (units.length === 1) {
        await this.deadLetter(units[0], errorMessage(error));
        return;
      }
      // Bisect: the refused units are found in log2(n) writes, the good ones are stored.
      const middle = Math.ceil(units.length / 2);
      await this.writeIsolating(units.slice(0, middle), now);
      await this.writeIsolating(units.slice(middle), now);
    }
  }

  private async deadLetter(unit: Unit, reason: string): Promise<void> {
    const letters = this.stage.deadLetters(unit, reason);
    await this.retry.run(() => this.ports.publishDeadLetters(letters), {
      onRetry: () => this.ports.heartbeat().catch(() => undefined),
      shouldStop: () => this.stopping,
    });
    this.events.deadLettered?.(letters.length, reason);
  }

  private async commit(commits: Map<number, bigint>): Promise<void> {
    for (const [partition, offset] of commits) {
      if (!this.partitions.has(partition) || offset === this.committed.get(partition)) continue;
      try {
        await this.ports.commit(partition, offset.toString());
        this.committed.set(partition, offset);
        this.stage.committed?.(partition, offset);
      } catch (error) {
        // Usually a rebalance in progress; the next cycle commits again (or the new owner replays).
        this.events.commitFailed?.(error, partition);
      }
    }
  }
}

import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The runtime's own metrics, the same in every stage (the app label tells stages apart). */
export class StageMetrics {
  readonly records: Counter;
  readonly deadLetters: Counter<'reason'>;
  readonly writeRetries: Counter;
  readonly commitFailures: Counter;
  readonly revokedPartitions: Counter;
  readonly heldRecords: Counter;
  readonly groupJoins: Counter;
  readonly cycleSeconds: Histogram;
  /** Records behind the partition's end, by partition (bounded by the topic's partition count). */
  readonly lag: Gauge<'partition'>;
  readonly stuckSeconds: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.records = new Counter({
      name: 'agentmon_stage_records_total',
      help: 'Input records consumed',
      registers,
    });
    this.deadLetters = new Counter({
      name: 'agentmon_stage_dead_letters_total',
      help: 'Records sent to the dead-letter topic, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.writeRetries = new Counter({
      name: 'agentmon_stage_write_retries_total',
      help: 'Failed attempts to write a cycle to the sinks (retried with backoff)',
      registers,
    });
    this.commitFailures = new Counter({
      name: 'agentmon_stage_commit_failures_total',
      help: 'Offset commits that failed (retried next cycle)',
      registers,
    });
    this.heldRecords = new Counter({
      name: 'agentmon_stage_held_records_total',
      help: 'Records fetched again (rejoin, failed batch) that the stage already held: skipped',
      registers,
    });
    this.groupJoins = new Counter({
      name: 'agentmon_stage_group_joins_total',
      help: 'Times this instance joined its consumer group (start, rebalances, rejoins)',
      registers,
    });
    this.revokedPartitions = new Counter({
      name: 'agentmon_stage_revoked_partitions_total',
      help: 'Partitions that moved to another instance in a rebalance',
      registers,
    });
    this.cycleSeconds = new Histogram({
      name: 'agentmon_stage_cycle_write_seconds',
      help: 'Time to write one flush cycle to the sinks, retries included',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.lag = new Gauge({
      name: 'agentmon_stage_consumer_lag_records',
      help: 'Records between the last fetched offset and the end of the partition',
      labelNames: ['partition'],
      registers,
    });
    this.stuckSeconds = new Gauge({
      name: 'agentmon_stage_stuck_seconds',
      help: 'How long the current write has been failing (0 when healthy)',
      registers,
    });
  }
}

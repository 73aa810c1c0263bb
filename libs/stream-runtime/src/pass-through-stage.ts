import {
  encodeDeadLetterValue,
  encodeTopicRecord,
  TopicName,
  TopicRecord,
} from '@agentmon/contracts';
import type { PartitionRecords, Stage, StageDeadLetter } from './stage';

/** One input record as a unit of output. */
export interface PassedRecord<In extends TopicName> {
  partition: number;
  offset: string;
  key: string | null;
  value: TopicRecord<In>;
}

/**
 * The simplest stage: every valid record is a unit, handed to `sink` once per cycle and
 * committed after it. A stage skeleton starts from it; the runtime's own tests run it.
 */
export class PassThroughStage<In extends TopicName> implements Stage<In, PassedRecord<In>> {
  private pending: PassedRecord<In>[] = [];
  private readonly nextOffsets = new Map<number, bigint>();

  constructor(
    readonly input: In,
    private readonly sink: (records: readonly PassedRecord<In>[]) => Promise<void>,
  ) {}

  ingest(batch: PartitionRecords<In>): void {
    for (const record of batch.records) {
      this.pending.push({
        partition: batch.partition,
        offset: record.offset,
        key: record.key,
        value: record.value as TopicRecord<In>,
      });
      this.nextOffsets.set(batch.partition, BigInt(record.offset) + 1n);
    }
  }

  takeOutput(): PassedRecord<In>[] {
    const units = this.pending;
    this.pending = [];
    return units;
  }

  committableOffset(partition: number): bigint | null {
    return this.nextOffsets.get(partition) ?? null;
  }

  revokePartition(partition: number): void {
    this.nextOffsets.delete(partition);
    this.pending = this.pending.filter((record) => record.partition !== partition);
  }

  write(units: readonly PassedRecord<In>[]): Promise<void> {
    return this.sink(units);
  }

  deadLetters(unit: PassedRecord<In>, reason: string): StageDeadLetter[] {
    return [
      {
        key: unit.key,
        letter: {
          source_topic: this.input,
          partition: unit.partition,
          offset: unit.offset,
          key: unit.key,
          value: encodeDeadLetterValue(encodeTopicRecord(this.input, unit.value)),
          reason: 'sink_rejected',
          message: reason.slice(0, 4096),
          issues: [],
        },
      },
    ];
  }
}

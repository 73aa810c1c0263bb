import type { DecodedRecord } from '@agentmon/kafka';
import type { InputRecord, PartitionRecords, Stage, StageDeadLetter, StageInput } from './stage';

/** A unit made from one input record. */
export interface RecordUnit {
  partition: number;
  offset: string;
  key: string | null;
}

/**
 * The shape of every stage whose units are its input records, one each (no state spans records:
 * the pass-through skeletons, the detector, the OTLP relay): a cycle takes every record ingested
 * so far, so once it is written the partition may be committed up to the last of them — or to
 * the batch's end when the runtime dead-lettered records behind it.
 */
export abstract class RecordUnitsStage<
  In extends StageInput,
  Unit extends RecordUnit,
> implements Stage<In, Unit> {
  abstract readonly input: In;
  private pending: Unit[] = [];
  private readonly nextOffsets = new Map<number, bigint>();

  /** The unit a valid record becomes. */
  protected abstract toUnit(partition: number, record: DecodedRecord<InputRecord<In>>): Unit;
  abstract write(units: readonly Unit[], now: number): Promise<void>;
  abstract deadLetters(unit: Unit, reason: string): StageDeadLetter[];

  ingest(batch: PartitionRecords<In>): void {
    let next = this.nextOffsets.get(batch.partition) ?? null;
    for (const record of batch.records) {
      this.pending.push(this.toUnit(batch.partition, record));
      next = BigInt(record.offset) + 1n;
    }
    if (batch.endOffset !== undefined && (next === null || batch.endOffset > next))
      next = batch.endOffset;
    if (next !== null) this.nextOffsets.set(batch.partition, next);
  }

  takeOutput(): Unit[] {
    const units = this.pending;
    this.pending = [];
    return units;
  }

  committableOffset(partition: number): bigint | null {
    return this.nextOffsets.get(partition) ?? null;
  }

  revokePartition(partition: number): void {
    this.nextOffsets.delete(partition);
    this.pending = this.pending.filter((unit) => unit.partition !== partition);
  }
}

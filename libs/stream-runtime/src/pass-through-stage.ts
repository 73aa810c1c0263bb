import {
  encodeDeadLetterValue,
  encodeTopicRecord,
  TopicName,
  TopicRecord,
} from '@agentmon/contracts';
import type { DecodedRecord } from '@agentmon/kafka';
import { RecordUnitsStage } from './record-units-stage';
import type { InputRecord, StageDeadLetter } from './stage';

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
export class PassThroughStage<In extends TopicName> extends RecordUnitsStage<In, PassedRecord<In>> {
  constructor(
    readonly input: In,
    private readonly sink: (records: readonly PassedRecord<In>[]) => Promise<void>,
  ) {
    super();
  }

  protected toUnit(partition: number, record: DecodedRecord<InputRecord<In>>): PassedRecord<In> {
    // A contract topic's records are its TopicRecord (InputRecord does not narrow generically).
    const value = record.value as TopicRecord<In>;
    return { partition, offset: record.offset, key: record.key, value };
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

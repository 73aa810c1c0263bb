import { DeadLetter, encodeDeadLetterValue } from '@agentmon/contracts';
import type { DecodedRecord } from '@agentmon/kafka';
import { RecordUnitsStage, type StageDeadLetter } from '@agentmon/stream-runtime';
import type { OtlpRelaySinks } from '../ports/otlp-relay-sinks.port';
import type { OtlpBatch, OtlpBatchDecoder } from './otlp-batch-decoder';

/** One Collector record, split: the unit the spans topic accepts or refuses as a whole. */
export interface RelayUnit {
  partition: number;
  offset: string;
  key: string | null;
  batch: OtlpBatch;
}

/** What the relay reports once a cycle is acknowledged (metrics, logs). */
export interface OtlpRelayEvents {
  relayed?(units: readonly RelayUnit[]): void;
}

/**
 * Collector Kafka exporter records → spans-topic records keyed by trace id. Stateless beyond one
 * fetched batch: every record decoded (authenticated and split by the input's decoder) is a unit
 * of the next cycle, published with acks=all, and only then committed; a crash replays what was
 * not acknowledged (the sessionizer de-duplicates spans and events by id). A record some of whose
 * spans the span contract refused is relayed for the rest and dead-lettered (schema_validation)
 * with the refusals, each naming the span and field.
 */
export class OtlpRelayStage extends RecordUnitsStage<OtlpBatchDecoder, RelayUnit> {
  constructor(
    readonly input: OtlpBatchDecoder,
    private readonly sinks: OtlpRelaySinks,
    private readonly consumer: { app: string; group: string },
    private readonly events: OtlpRelayEvents = {},
  ) {
    super();
  }

  protected toUnit(partition: number, record: DecodedRecord<OtlpBatch>): RelayUnit {
    return { partition, offset: record.offset, key: record.key, batch: record.value };
  }

  async write(units: readonly RelayUnit[], now: number): Promise<void> {
    const letters = units.flatMap((unit) =>
      unit.batch.rejectedSpans > 0 ? [this.refusedSpansLetter(unit, now)] : [],
    );
    await this.sinks.publish(
      units.flatMap((unit) => unit.batch.messages),
      letters,
    );
    this.events.relayed?.(units);
  }

  /** Kafka refused what a record became, for good: the original record goes to dead letters. */
  deadLetters(unit: RelayUnit, reason: string): StageDeadLetter[] {
    return [
      {
        key: unit.key,
        letter: {
          ...this.source(unit),
          value: encodeDeadLetterValue(
            unit.batch.refusedValue ??
              JSON.stringify(unit.batch.messages.map((m) => m.record)).slice(0, 65536),
          ),
          reason: 'sink_rejected',
          message: reason.slice(0, 4096),
          issues: [],
        },
      },
    ];
  }

  private refusedSpansLetter(unit: RelayUnit, now: number): DeadLetter {
    const { rejectedSpans, errors } = unit.batch;
    return {
      ...this.source(unit),
      value: encodeDeadLetterValue(unit.batch.refusedValue),
      reason: 'schema_validation',
      message:
        `${rejectedSpans} span(s) of project ${unit.batch.projectId} refused by the span contract, the rest relayed: ${errors.join('; ')}`.slice(
          0,
          4096,
        ),
      issues: errors.slice(0, 100).map((line) => ({ path: '', message: line.slice(0, 4096) })),
      failed_at: now,
      consumer: this.consumer.app,
      consumer_group: this.consumer.group,
      attempts: 1,
    };
  }

  private source(unit: RelayUnit) {
    return {
      source_topic: this.input.topic,
      partition: unit.partition,
      offset: unit.offset,
      key: unit.key === null ? null : unit.key.slice(0, 4096),
    };
  }
}

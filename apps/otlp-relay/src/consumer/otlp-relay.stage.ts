import { DeadLetter, encodeDeadLetterValue } from '@agentmon/contracts';
import type { PartitionRecords, Stage, StageDeadLetter } from '@agentmon/stream-runtime';
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
export class OtlpRelayStage implements Stage<OtlpBatchDecoder, RelayUnit> {
  private pending: RelayUnit[] = [];
  private readonly nextOffsets = new Map<number, bigint>();

  constructor(
    readonly input: OtlpBatchDecoder,
    private readonly sinks: OtlpRelaySinks,
    private readonly consumer: { app: string; group: string },
    private readonly events: OtlpRelayEvents = {},
  ) {}

  ingest(batch: PartitionRecords<OtlpBatchDecoder>): void {
    let next = this.nextOffsets.get(batch.partition) ?? null;
    for (const record of batch.records) {
      this.pending.push({
        partition: batch.partition,
        offset: record.offset,
        key: record.key,
        batch: record.value,
      });
      next = BigInt(record.offset) + 1n;
    }
    // Records the runtime dead-lettered (no key, undecodable) are behind us too.
    if (batch.endOffset !== undefined && (next === null || batch.endOffset > next))
      next = batch.endOffset;
    if (next !== null) this.nextOffsets.set(batch.partition, next);
  }

  takeOutput(): RelayUnit[] {
    const units = this.pending;
    this.pending = [];
    return units;
  }

  /** Everything ingested was taken: once written, the whole partition so far may be committed. */
  committableOffset(partition: number): bigint | null {
    return this.nextOffsets.get(partition) ?? null;
  }

  revokePartition(partition: number): void {
    this.nextOffsets.delete(partition);
    this.pending = this.pending.filter((unit) => unit.partition !== partition);
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

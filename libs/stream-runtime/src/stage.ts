import type { DeadLetter, DeadLetterReason, TopicName, TopicRecord } from '@agentmon/contracts';
import type { DecodedRecord } from '@agentmon/kafka';

/**
 * A topic outside AgentMon's contracts (for example the OpenTelemetry Collector's OTLP topic),
 * read as bytes: the stage decodes each record itself (`decode`), and what it refuses is
 * dead-lettered with the reason before the stage's state sees it, as contract violations are.
 */
export interface RawTopicInput<T> {
  readonly topic: string;
  /** The wire record (value, key, headers) → the stage's record, or why it is refused. */
  decode(wire: WireRecord<null>): Admission<T>;
}

/** What a stage consumes: a contract topic (JSON validated by the runtime) or a raw topic. */
export type StageInput = TopicName | RawTopicInput<unknown>;

/** The record type a stage's input yields. */
export type InputRecord<In extends StageInput> = In extends TopicName
  ? TopicRecord<In>
  : In extends RawTopicInput<infer T>
    ? T
    : never;

/** The Kafka topic name of a stage's input. */
export function inputTopic(input: StageInput): string {
  return typeof input === 'string' ? input : input.topic;
}

/** One partition's validated records, in offset order. */
export interface PartitionRecords<In extends StageInput> {
  partition: number;
  records: readonly DecodedRecord<InputRecord<In>>[];
  /**
   * The offset after the fetched batch's last record, dead-lettered ones included (absent when
   * the caller does not know it): a stage holding no state may commit up to it.
   */
  endOffset?: bigint;
}

/** What admission (or a raw topic's decode) decides about one record: take it or refuse it. */
export type Admission<T> =
  | { ok: true; value: T }
  | { ok: false; reason: Exclude<DeadLetterReason, 'sink_rejected'>; message: string };

/** A valid record as it came off the wire, for admission checks (keys, headers). */
export interface WireRecord<T> {
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
  record: T;
}

/** A unit the sinks refused for good, as it goes to the dead-letter topic. */
export interface StageDeadLetter {
  key: string | null;
  letter: Omit<DeadLetter, 'failed_at' | 'consumer' | 'consumer_group' | 'attempts'>;
}

/**
 * What a stage is to the runtime. The stage owns its state (built by a pure domain) and its
 * sinks (behind ports); the runtime owns Kafka, flush cycles, commits, retries, dead letters,
 * partition moves and shutdown. `Unit` is the smallest piece of output the sinks can accept or
 * refuse on its own (a closed trace, a window, an alert): a permanently refused unit is
 * dead-lettered alone while the rest of its cycle is stored.
 */
export interface Stage<In extends StageInput, Unit> {
  readonly input: In;
  /**
   * Optional check of each valid record before it reaches the state (who produced it, under
   * which key); refused records are dead-lettered with the reason. May rewrite the record (for
   * example the tenant derived from the producer's key).
   */
  admit?(wire: WireRecord<InputRecord<In>>): Admission<InputRecord<In>>;
  /** Adds records to the state. Synchronous and free of I/O: the domain's step. */
  ingest(batch: PartitionRecords<In>, now: number): void;
  /** Progress with no new records (timers: closing timed-out traces, idle windows). */
  tick?(now: number): void;
  /** Everything ready to be written, taken out of the state (the next cycle's units). */
  takeOutput(now: number): Unit[];
  /**
   * The offset to commit for this partition once every unit taken so far is durable: the
   * earliest record the state still needs (exclusive end of what may be forgotten); null when
   * nothing of this partition was consumed yet.
   */
  committableOffset(partition: number): bigint | null;
  /** A rebalance took the partition away: forget its state (its new owner replays it). */
  revokePartition(partition: number): void;
  /**
   * The group's committed offset for the partition moved to `offset`: no replay, by this
   * instance or the partition's next owner, starts before it (what the state keeps only for
   * replays below it may go).
   */
  committed?(partition: number, offset: bigint): void;
  /**
   * The sinks: makes the units durable. Throws PermanentError when the units themselves are
   * refused (the runtime then isolates the culprit), anything else is retried.
   */
  write(units: readonly Unit[], now: number): Promise<void>;
  /** How a unit the sinks refused for good is dead-lettered (one letter per source record). */
  deadLetters(unit: Unit, reason: string): StageDeadLetter[];
}

import { ErrorCode } from '../protocol/error-codes';

interface BatchMeta {
  firstSeq: number;
  lastSeq: number;
  baseOffset: number;
}

interface ProducerEntry {
  epoch: number;
  /** Last five batches, like Kafka, so a retried in-flight batch is recognised as a duplicate. */
  recent: BatchMeta[];
}

export type SequenceVerdict =
  | { kind: 'append' }
  | { kind: 'duplicate'; baseOffset: number }
  | { kind: 'error'; errorCode: number };

const MAX_RECENT = 5;

/** Per-partition idempotent-producer bookkeeping: which sequences have been written at which offsets. */
export class ProducerStateTable {
  private producers = new Map<number, ProducerEntry>();

  check(producerId: number, epoch: number, baseSeq: number, recordCount: number): SequenceVerdict {
    if (producerId < 0 || baseSeq < 0) return { kind: 'append' };
    const e = this.producers.get(producerId);
    // Unknown producer (new, or its state was removed with old segments): accept like Kafka 2.5+.
    if (!e) return { kind: 'append' };
    if (epoch < e.epoch) return { kind: 'error', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH };
    if (epoch > e.epoch) {
      return baseSeq === 0
        ? { kind: 'append' }
        : { kind: 'error', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER };
    }
    const lastSeq = baseSeq + recordCount - 1;
    for (const b of e.recent) {
      if (b.firstSeq === baseSeq && b.lastSeq === lastSeq)
        return { kind: 'duplicate', baseOffset: b.baseOffset };
    }
    const last = e.recent[e.recent.length - 1];
    const expected = last ? (last.lastSeq + 1) % 0x80000000 : 0;
    if (baseSeq === expected) return { kind: 'append' };
    // An older sequence we no longer remember in detail: still a duplicate, never appended twice.
    if (last && baseSeq < expected && lastSeq <= last.lastSeq) {
      return { kind: 'error', errorCode: ErrorCode.DUPLICATE_SEQUENCE_NUMBER };
    }
    return { kind: 'error', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER };
  }

  record(
    producerId: number,
    epoch: number,
    baseSeq: number,
    recordCount: number,
    baseOffset: number,
  ): void {
    if (producerId < 0 || baseSeq < 0) return;
    let e = this.producers.get(producerId);
    if (!e || epoch > e.epoch) {
      e = { epoch, recent: [] };
      this.producers.set(producerId, e);
    }
    e.recent.push({ firstSeq: baseSeq, lastSeq: baseSeq + recordCount - 1, baseOffset });
    if (e.recent.length > MAX_RECENT) e.recent.shift();
  }

  maxProducerId(): number {
    let m = -1;
    for (const id of this.producers.keys()) if (id > m) m = id;
    return m;
  }
}

/* eslint-disable @typescript-eslint/no-require-imports */
// Builds RecordBatches with kafkajs' own encoder, an implementation independent of ours, so codec
// tests are not circular.
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as {
  RecordBatch: (o: object) => Promise<{ buffer: Buffer }>;
};
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (o: object) => unknown;
const Long = require('kafkajs/src/utils/long') as { fromValue(v: number | string): unknown };

export interface TestBatchOptions {
  values: string[];
  baseOffset?: number;
  producerId?: number;
  producerEpoch?: number;
  firstSequence?: number;
  compression?: number;
  timestamp?: number;
}

export async function kafkajsRecordBatch(o: TestBatchOptions): Promise<Buffer> {
  const ts = o.timestamp ?? Date.now();
  const enc = await RecordBatch({
    compression: o.compression ?? 0,
    firstOffset: Long.fromValue(o.baseOffset ?? 0),
    firstTimestamp: ts,
    maxTimestamp: ts,
    lastOffsetDelta: o.values.length - 1,
    producerId: Long.fromValue(o.producerId ?? -1),
    producerEpoch: o.producerEpoch ?? 0,
    firstSequence: o.firstSequence ?? 0,
    records: o.values.map((v, i) =>
      Record({ offsetDelta: i, timestampDelta: 0, key: null, value: Buffer.from(v) }),
    ),
  });
  return Buffer.from(enc.buffer);
}

import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/error-codes';
import { KafkaWriter } from '../protocol/kafka-writer';
import type { ApiHandler } from '../server/api-handler';

const LATEST = -1;
const EARLIEST = -2;

export const listOffsetsHandler: ApiHandler = {
  apiKey: ApiKey.ListOffsets,
  minVersion: 1,
  maxVersion: 5,
  handle(r, req, broker) {
    const v = req.apiVersion;
    r.int32();
    if (v >= 2) r.int8();
    const topics = r.array(
      (x) => ({
        name: x.string(),
        partitions: x.array((y) => {
          const partition = y.int32();
          if (v >= 4) y.int32();
          return { partition, timestamp: y.int64n() };
        }, 12),
      }),
      6,
    );
    const w = new KafkaWriter(512);
    if (v >= 2) w.int32(0);
    w.array(topics, (w2, t) => {
      w2.string(t.name).array(t.partitions, (w3, p) => {
        const log = broker.logs.partition(t.name, p.partition);
        let error: number = ErrorCode.NONE;
        let offset = -1;
        let timestamp = -1;
        if (!log) error = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        else if (p.timestamp === LATEST) offset = log.highWatermark;
        else if (p.timestamp === EARLIEST) offset = log.logStartOffset;
        else {
          const found = log.offsetForTimestamp(p.timestamp);
          if (found) ({ offset, timestamp } = found);
        }
        w3.int32(p.partition).int16(error).int64(timestamp).int64(offset);
        if (v >= 4) w3.int32(0);
      });
    });
    return w;
  },
};

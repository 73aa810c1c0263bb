import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/error-codes';
import { KafkaWriter } from '../protocol/kafka-writer';
import type { ApiHandler } from '../server/api-handler';
import { validateTopicName } from '../storage/log-manager';

export const createTopicsHandler: ApiHandler = {
  apiKey: ApiKey.CreateTopics,
  minVersion: 0,
  maxVersion: 3,
  handle(r, req, broker) {
    const v = req.apiVersion;
    const topics = r.array((x) => {
      const name = x.string();
      const numPartitions = x.int32();
      const replicationFactor = x.int16();
      const assignments = x.array(
        (y) => ({ partition: y.int32(), brokers: y.array((z) => z.int32(), 4) }),
        8,
      );
      x.array((y) => ({ name: y.string(), value: y.nullableString() }), 4);
      return { name, numPartitions, replicationFactor, assignments };
    }, 16);
    r.int32();
    const validateOnly = v >= 1 ? r.bool() : false;
    const results = topics.map((t) => {
      const partitions =
        t.assignments.length > 0
          ? t.assignments.length
          : t.numPartitions === -1
            ? broker.settings.defaultPartitions
            : t.numPartitions;
      let errorCode: number;
      let message: string | null = null;
      if (t.replicationFactor !== -1 && t.replicationFactor !== 1) {
        errorCode = ErrorCode.INVALID_REPLICATION_FACTOR;
        message = 'single-node broker: replication factor must be 1';
      } else if (!validateTopicName(t.name)) {
        errorCode = ErrorCode.INVALID_TOPIC_EXCEPTION;
      } else if (broker.logs.partitions(t.name)) {
        errorCode = ErrorCode.TOPIC_ALREADY_EXISTS;
        message = `topic '${t.name}' already exists`;
      } else if (partitions < 1) {
        errorCode = ErrorCode.INVALID_PARTITIONS;
      } else {
        errorCode = validateOnly ? ErrorCode.NONE : broker.logs.createTopic(t.name, partitions);
      }
      return { name: t.name, errorCode, message };
    });
    const w = new KafkaWriter();
    if (v >= 2) w.int32(0);
    w.array(results, (w2, t) => {
      w2.string(t.name).int16(t.errorCode);
      if (v >= 1) w2.nullableString(t.message);
    });
    return w;
  },
};

import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/error-codes';
import { KafkaWriter } from '../protocol/kafka-writer';
import type { ApiHandler, BrokerContext } from '../server/api-handler';

interface TopicAnswer {
  errorCode: number;
  name: string;
  partitions: number;
}

function resolveTopic(name: string, allowAutoCreate: boolean, broker: BrokerContext): TopicAnswer {
  const existing = broker.logs.partitions(name);
  if (existing) return { errorCode: ErrorCode.NONE, name, partitions: existing.length };
  if (allowAutoCreate && broker.settings.autoCreateTopics) {
    const err = broker.logs.createTopic(name, broker.settings.defaultPartitions);
    if (err === ErrorCode.NONE || err === ErrorCode.TOPIC_ALREADY_EXISTS) {
      return {
        errorCode: ErrorCode.NONE,
        name,
        partitions: broker.logs.partitions(name)?.length ?? 0,
      };
    }
    return { errorCode: err, name, partitions: 0 };
  }
  return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, partitions: 0 };
}

export const metadataHandler: ApiHandler = {
  apiKey: ApiKey.Metadata,
  minVersion: 1,
  maxVersion: 8,
  handle(r, req, broker) {
    const v = req.apiVersion;
    const names = r.nullableArray((x) => x.string(), 2);
    const allowAutoCreate = v >= 4 ? r.bool() : true;
    if (v >= 8) {
      r.bool();
      r.bool();
    }
    const topics: TopicAnswer[] =
      names === null
        ? broker.logs.topicNames().map((name) => ({
            errorCode: 0,
            name,
            partitions: broker.logs.partitions(name)?.length ?? 0,
          }))
        : names.map((n) => resolveTopic(n, allowAutoCreate, broker));
    const s = broker.settings;
    const w = new KafkaWriter(1024);
    if (v >= 3) w.int32(0);
    w.int32(1)
      .int32(s.nodeId)
      .string(s.advertisedHost)
      .int32(s.advertisedPort)
      .nullableString(null);
    if (v >= 2) w.nullableString(s.clusterId);
    w.int32(s.nodeId);
    w.array(topics, (w2, t) => {
      w2.int16(t.errorCode).string(t.name).bool(false);
      w2.int32(t.partitions);
      for (let p = 0; p < t.partitions; p++) {
        w2.int16(ErrorCode.NONE).int32(p).int32(s.nodeId);
        if (v >= 7) w2.int32(0);
        w2.int32(1).int32(s.nodeId).int32(1).int32(s.nodeId);
        if (v >= 5) w2.int32(0);
      }
      if (v >= 8) w2.int32(-2147483648);
    });
    if (v >= 8) w.int32(-2147483648);
    return w;
  },
};

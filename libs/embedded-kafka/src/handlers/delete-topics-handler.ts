import { ApiKey } from '../protocol/api-keys';
import { KafkaWriter } from '../protocol/kafka-writer';
import type { ApiHandler } from '../server/api-handler';

export const deleteTopicsHandler: ApiHandler = {
  apiKey: ApiKey.DeleteTopics,
  minVersion: 0,
  maxVersion: 3,
  handle(r, req, broker) {
    const names = r.array((x) => x.string(), 2);
    r.int32();
    const results = names.map((name) => ({ name, errorCode: broker.logs.deleteTopic(name) }));
    const w = new KafkaWriter();
    if (req.apiVersion >= 1) w.int32(0);
    return w.array(results, (w2, t) => w2.string(t.name).int16(t.errorCode));
  },
};

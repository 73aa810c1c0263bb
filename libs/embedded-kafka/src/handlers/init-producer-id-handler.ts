import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/error-codes';
import { KafkaWriter } from '../protocol/kafka-writer';
import type { ApiHandler } from '../server/api-handler';

/** Idempotence only: transactional ids are refused, transactions being outside this broker's scope. */
export const initProducerIdHandler: ApiHandler = {
  apiKey: ApiKey.InitProducerId,
  minVersion: 0,
  maxVersion: 1,
  handle(r, _req, broker) {
    const transactionalId = r.nullableString();
    r.int32();
    const w = new KafkaWriter();
    w.int32(0);
    if (transactionalId !== null) return w.int16(ErrorCode.INVALID_REQUEST).int64(-1).int16(-1);
    return w.int16(ErrorCode.NONE).int64(broker.logs.allocateProducerId()).int16(0);
  },
};

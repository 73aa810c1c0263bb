import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/error-codes';
import { KafkaWriter } from '../protocol/kafka-writer';
import type { ApiHandler } from '../server/api-handler';

/** Single node: the broker coordinates every group (and would every transaction). */
export const findCoordinatorHandler: ApiHandler = {
  apiKey: ApiKey.FindCoordinator,
  minVersion: 0,
  maxVersion: 2,
  handle(r, req, broker) {
    r.string();
    if (req.apiVersion >= 1) r.int8();
    const s = broker.settings;
    const w = new KafkaWriter();
    if (req.apiVersion >= 1) w.int32(0);
    w.int16(ErrorCode.NONE);
    if (req.apiVersion >= 1) w.nullableString(null);
    return w.int32(s.nodeId).string(s.advertisedHost).int32(s.advertisedPort);
  },
};

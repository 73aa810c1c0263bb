import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/error-codes';
import { KafkaWriter } from '../protocol/kafka-writer';
import type { ApiHandler } from '../server/api-handler';
import type { HandlerRegistry } from '../server/handler-registry';

/** v3+ (flexible) is answered by the connection with UNSUPPORTED_VERSION in v0 format. */
export function apiVersionsHandler(registry: HandlerRegistry): ApiHandler {
  return {
    apiKey: ApiKey.ApiVersions,
    minVersion: 0,
    maxVersion: 2,
    handle(_r, req) {
      const w = new KafkaWriter();
      w.int16(ErrorCode.NONE);
      registry.writeApiVersions(w);
      if (req.apiVersion >= 1) w.int32(0);
      return w;
    },
  };
}

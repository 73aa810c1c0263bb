import type { ApiKeyRegistry } from './api-key-registry';
import { verifyGatewayRecord, type SignedRecord } from './gateway-mac';
import { API_KEY_HEADER, GATEWAY_MAC_HEADER, headerText, type KafkaHeaders } from './kafka-headers';

export interface ProducerAuthPolicy {
  registry: ApiKeyRegistry;
  /** Secrets the gateway signs with (first = current); empty when no gateway mark is expected. */
  gatewaySecrets: readonly (Buffer | string)[];
  /** SESSIONIZER_REQUIRE_PRODUCER_KEY: a record with neither mark nor valid key is refused. */
  requireProducerKey: boolean;
}

export type ProducerAuth =
  /** Signed by the gateway: the record's project_id was set by the gateway from its API key. */
  | { ok: true; via: 'gateway' }
  /** A direct producer's valid key: the tenant is this project, whatever the record says. */
  | { ok: true; via: 'api_key'; projectId: string }
  /** Neither, and not required (clusters where only the gateway writes): trusted as written. */
  | { ok: true; via: 'unauthenticated_allowed' }
  /** Dead-letter with reason `unauthenticated`, never count. */
  | { ok: false; reason: 'unauthenticated'; message: string };

/**
 * Who produced a spans-topic record, decided from its headers exactly as the gateway decides
 * from HTTP headers. Pure apart from hashing; the consumer adapter calls it per record.
 */
export function authenticateProducer(
  policy: ProducerAuthPolicy,
  record: SignedRecord & { headers?: KafkaHeaders },
): ProducerAuth {
  const mark = headerText(record.headers, GATEWAY_MAC_HEADER);
  if (mark !== undefined && policy.gatewaySecrets.length > 0) {
    if (verifyGatewayRecord(policy.gatewaySecrets, record, mark))
      return { ok: true, via: 'gateway' };
  }
  const key = headerText(record.headers, API_KEY_HEADER);
  const projectId = policy.registry.projectFor(key);
  if (projectId !== undefined) return { ok: true, via: 'api_key', projectId };
  if (!policy.requireProducerKey) return { ok: true, via: 'unauthenticated_allowed' };
  const message =
    key === undefined
      ? `no ${API_KEY_HEADER} header and no valid ${GATEWAY_MAC_HEADER}`
      : `unknown ${API_KEY_HEADER}`;
  return { ok: false, reason: 'unauthenticated', message };
}

/**
 * The Kafka key must be the record's trace_id: keying by anything else silently splits a trace
 * across sessionizer instances. Returns a dead-letter message, or null when the key is right.
 */
export function recordKeyProblem(
  kafkaKey: Buffer | string | null | undefined,
  traceId: string,
): string | null {
  const key =
    kafkaKey == null ? null : typeof kafkaKey === 'string' ? kafkaKey : kafkaKey.toString('utf8');
  if (key === traceId) return null;
  return key === null
    ? `record has no key; the key must be its trace_id (${traceId})`
    : `record key does not match its trace_id`;
}

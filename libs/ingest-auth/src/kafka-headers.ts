/** Kafka record headers as kafkajs hands them over (IHeaders). */
export type KafkaHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

import { RecordHeaders } from '@agentmon/contracts';

/** The API key of a direct producer, as a record header (same keys as the gateway's). */
export const API_KEY_HEADER = RecordHeaders.apiKey;

/** The gateway's mark on the records it produced (see signGatewayRecord). */
export const GATEWAY_MAC_HEADER = RecordHeaders.gatewayMac;

/** The single value of a header, as text; undefined when absent, empty or repeated. */
export function headerText(headers: KafkaHeaders | undefined, name: string): string | undefined {
  const raw = headers?.[name];
  if (raw === undefined || (Array.isArray(raw) && raw.length !== 1)) return undefined;
  const one = Array.isArray(raw) ? raw[0] : raw;
  const text = typeof one === 'string' ? one : one.toString('utf8');
  return text.length > 0 ? text : undefined;
}

/**
 * Kafka record headers of the spans topic: part of the wire contract, like topic names.
 * - API key of a direct producer (the same keys as the gateway's; the tenant is derived from it);
 * - the gateway's mark on its own records (HMAC, see @agentmon/ingest-auth signGatewayRecord).
 */
export const RecordHeaders = {
  apiKey: 'agentmon-api-key',
  gatewayMac: 'agentmon-gateway-mac',
} as const;

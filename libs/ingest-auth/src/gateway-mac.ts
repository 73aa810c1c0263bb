import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The gateway's mark on its own records: HMAC-SHA256, keyed by a secret that only the gateway
 * and the consumers verifying it hold (GATEWAY_RECORD_SECRET), over the topic, the record key and
 * the record value, as header GATEWAY_MAC_HEADER = "v1=<base64url>".
 *
 * Why a direct producer cannot forge it:
 * - computing a valid MAC for any (topic, key, value) needs the secret: HMAC-SHA256 is a PRF, so
 *   without the key its outputs cannot be predicted, not even after seeing the MACs of every
 *   gateway record on the topic;
 * - the MAC covers the whole value (which holds project_id) and the key, each length-prefixed,
 *   so copying a valid header onto another value, another tenant's project_id, another trace key
 *   or another topic fails verification;
 * - replaying a gateway record byte for byte is possible for someone who can read the topic,
 *   but it only re-delivers data already accepted (spans and events are deduplicated by id);
 * - verification compares in constant time, so timing does not leak a valid MAC byte by byte.
 * Rotation: verify against a list of secrets (new first), sign with the first.
 */
export interface SignedRecord {
  topic: string;
  key: Buffer | string | null;
  value: Buffer | string;
}

const VERSION = 'v1=';
/** 32 bytes: the HMAC-SHA256 block-size guidance; shorter secrets are refused at startup. */
export const MIN_GATEWAY_SECRET_BYTES = 32;

export function signGatewayRecord(secret: Buffer | string, record: SignedRecord): string {
  checkSecret(secret);
  return VERSION + mac(secret, record).toString('base64url');
}

/** True when `header` is a valid mark of `record` under one of `secrets`. */
export function verifyGatewayRecord(
  secrets: Buffer | string | readonly (Buffer | string)[],
  record: SignedRecord,
  header: string | undefined,
): boolean {
  if (header === undefined || !header.startsWith(VERSION)) return false;
  const given = Buffer.from(header.slice(VERSION.length), 'base64url');
  const list = Array.isArray(secrets) ? secrets : [secrets as Buffer | string];
  let valid = false;
  for (const secret of list) {
    const expected = mac(secret, record);
    // Every secret is tried (no early exit) so timing does not tell which one matched.
    if (given.length === expected.length && timingSafeEqual(given, expected)) valid = true;
  }
  return valid;
}

function mac(secret: Buffer | string, record: SignedRecord): Buffer {
  const h = createHmac('sha256', secret);
  for (const part of [record.topic, record.key ?? '', record.value]) {
    const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
    const length = Buffer.alloc(8);
    length.writeBigUInt64BE(BigInt(bytes.length));
    h.update(length).update(bytes);
  }
  // A null key and an empty key must not share a MAC.
  h.update(Buffer.from([record.key === null ? 0 : 1]));
  return h.digest();
}

function checkSecret(secret: Buffer | string): void {
  const bytes = typeof secret === 'string' ? Buffer.byteLength(secret, 'utf8') : secret.length;
  if (bytes < MIN_GATEWAY_SECRET_BYTES) {
    throw new RangeError(
      `the gateway record secret must be at least ${MIN_GATEWAY_SECRET_BYTES} bytes`,
    );
  }
}

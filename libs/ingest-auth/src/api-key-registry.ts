import { createHash, timingSafeEqual } from 'node:crypto';

/** Project lookup by API key. Only SHA-256 digests are held; comparison is constant-time. */
export class ApiKeyRegistry {
  private readonly byDigest: Map<string, string>;

  constructor(entries: readonly { projectId: string; keySha256: string }[]) {
    this.byDigest = new Map(entries.map((entry) => [entry.keySha256, entry.projectId]));
  }

  static digest(apiKey: string): string {
    return createHash('sha256').update(apiKey, 'utf8').digest('hex');
  }

  /** The project the key belongs to, or undefined for a missing or unknown key. */
  projectFor(apiKey: string | undefined): string | undefined {
    if (!apiKey) return undefined;
    const digest = ApiKeyRegistry.digest(apiKey);
    for (const [known, projectId] of this.byDigest) {
      if (timingSafeEqual(Buffer.from(known, 'hex'), Buffer.from(digest, 'hex'))) return projectId;
    }
    return undefined;
  }
}

/** `Authorization: Bearer <key>` or `x-api-key: <key>`. */
export function apiKeyFromHeaders(
  headers: Record<string, string | string[] | undefined>,
): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (match) return match[1];
  }
  const header = headers['x-api-key'];
  return typeof header === 'string' && header.length > 0 ? header : undefined;
}

import { ApiKeyRegistry } from '@agentmon/ingest-auth';
import { timingSafeEqual } from 'node:crypto';

/** Who a request is: the projects its token may read, and a token label safe to store. */
export interface ConsoleAccess {
  projects: readonly string[];
  /** The first 12 hex characters of the token's SHA-256: names a reviewer without the secret. */
  tokenId: string;
}

/**
 * Console tokens (CONSOLE_TOKENS), held only as SHA-256 digests, hashed exactly as the gateway's
 * API keys are (ApiKeyRegistry.digest); comparison is constant-time. One token may read several
 * projects; a token listed twice reads the union.
 */
export class ConsoleTokenRegistry {
  private readonly entries: { digest: Buffer; projects: string[] }[] = [];

  constructor(tokens: readonly { projectIds: readonly string[]; tokenSha256: string }[]) {
    const byDigest = new Map<string, Set<string>>();
    for (const token of tokens) {
      const set = byDigest.get(token.tokenSha256) ?? new Set<string>();
      for (const project of token.projectIds) set.add(project);
      byDigest.set(token.tokenSha256, set);
    }
    for (const [digest, projects] of byDigest) {
      this.entries.push({ digest: Buffer.from(digest, 'hex'), projects: [...projects].sort() });
    }
  }

  get size(): number {
    return this.entries.length;
  }

  /** The access a token grants, or undefined for a missing or unknown token. */
  accessFor(token: string | undefined): ConsoleAccess | undefined {
    if (!token) return undefined;
    const digestHex = ApiKeyRegistry.digest(token);
    const digest = Buffer.from(digestHex, 'hex');
    let found: string[] | undefined;
    // Every entry is compared (no early exit), so timing says nothing about which one matched.
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, digest)) found = entry.projects;
    }
    return found === undefined ? undefined : { projects: found, tokenId: digestHex.slice(0, 12) };
  }
}

/** The `CONSOLE_TOKENS` entry for a token (what `agentmon hash-key 'a+b' <token>` prints). */
export function consoleTokenEntry(projects: readonly string[], token: string): string {
  return `${projects.join('+')}:${ApiKeyRegistry.digest(token)}`;
}

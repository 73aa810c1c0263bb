import type { RevisionBasis } from '@agentmon/sessionizer-domain';
import { TraceSummarySchema } from '@agentmon/contracts';
import type Redis from 'ioredis';
import { execPipeline, RedisScript } from '@agentmon/stream-runtime';

// A replayed older revision must never overwrite a newer one.
const PUT_IF_NEWER_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
if cur then
  local rev = cjson.decode(cur).summary.revision
  if rev > tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1`;

/**
 * What the next revision of each emitted trace needs (its summary and the digests of the records
 * already counted), so records that arrive after the trace closed — even after a restart —
 * produce the next revision, and records already counted produce none. Entries expire after
 * the feedback window: the store is bounded by traffic × SESSIONIZER_FEEDBACK_WINDOW_S.
 */
export class RevisionBasisStore {
  private readonly putIfNewer: RedisScript;

  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
  ) {
    this.putIfNewer = new RedisScript(redis, 'agentmonPutBasisIfNewer', PUT_IF_NEWER_SCRIPT, 1);
  }

  private key(projectId: string, traceId: string): string {
    return `agentmon:basis:${projectId}:${traceId}`;
  }

  async getMany(
    keys: readonly { projectId: string; traceId: string }[],
  ): Promise<(RevisionBasis | null)[]> {
    if (keys.length === 0) return [];
    const values = await this.redis.mget(...keys.map((k) => this.key(k.projectId, k.traceId)));
    return values.map((value) => {
      if (value === null) return null;
      const basis = JSON.parse(value) as RevisionBasis;
      // A basis written by an incompatible version is treated as unknown, never trusted.
      return TraceSummarySchema.safeParse(basis.summary).success ? basis : null;
    });
  }

  /** Stores each basis unless one of a higher revision is already there. */
  async putMany(bases: readonly RevisionBasis[]): Promise<void> {
    if (bases.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const basis of bases) {
      this.putIfNewer.queue(
        pipeline,
        this.key(basis.summary.project_id, basis.summary.trace_id),
        JSON.stringify(basis),
        String(basis.summary.revision),
        String(this.ttlSeconds),
      );
    }
    await execPipeline(pipeline);
  }
}

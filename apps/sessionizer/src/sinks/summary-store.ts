import { TraceSummary, TraceSummarySchema } from '@agentmon/contracts';
import type Redis from 'ioredis';
import { execPipeline, RedisScript } from '@agentmon/stream-runtime';

// A replayed older revision must never overwrite a newer one.
const PUT_IF_NEWER_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
if cur then
  local rev = cjson.decode(cur).revision
  if rev > tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1`;

/**
 * The latest emitted summary of each trace, so feedback that arrives after the trace was closed
 * (even after a restart) can produce the next revision. Entries expire after the feedback window.
 */
export class SummaryStore {
  private readonly putIfNewer: RedisScript;

  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
  ) {
    this.putIfNewer = new RedisScript(redis, 'agentmonPutSummaryIfNewer', PUT_IF_NEWER_SCRIPT, 1);
  }

  private key(projectId: string, traceId: string): string {
    return `agentmon:summary:${projectId}:${traceId}`;
  }

  async getMany(
    keys: readonly { projectId: string; traceId: string }[],
  ): Promise<(TraceSummary | null)[]> {
    if (keys.length === 0) return [];
    const values = await this.redis.mget(...keys.map((k) => this.key(k.projectId, k.traceId)));
    return values.map((value) => {
      if (value === null) return null;
      const parsed = TraceSummarySchema.safeParse(JSON.parse(value));
      return parsed.success ? parsed.data : null;
    });
  }

  /** Stores each summary unless a higher revision is already there. */
  async putMany(summaries: readonly TraceSummary[]): Promise<void> {
    if (summaries.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const summary of summaries) {
      this.putIfNewer.queue(
        pipeline,
        this.key(summary.project_id, summary.trace_id),
        JSON.stringify(summary),
        String(summary.revision),
        String(this.ttlSeconds),
      );
    }
    await execPipeline(pipeline);
  }
}

import type { FloorClaim } from '@agentmon/sessionizer-domain';
import type Redis from 'ioredis';
import { execPipeline, RedisScript } from '@agentmon/stream-runtime';

// Once per trace (a replay reads back the same count, so it decides the same way): returns how
// many successes of the stratum were kept before this trace, and counts this one when it is kept
// by another rule (ARGV[2] = 1) or by the floor (count below ARGV[3]).
const CLAIM_SCRIPT = `
local before = redis.call('HGET', KEYS[1], ARGV[1])
if before then return tonumber(before) end
local kept = tonumber(redis.call('HGET', KEYS[1], '#kept') or '0')
redis.call('HSET', KEYS[1], ARGV[1], kept)
if ARGV[2] == '1' or kept < tonumber(ARGV[3]) then redis.call('HINCRBY', KEYS[1], '#kept', 1) end
redis.call('EXPIRE', KEYS[1], ARGV[4])
return kept`;

/**
 * The shared counter behind the success floor: per (project, task type, UTC hour) stratum, the
 * successes kept so far. One hash per stratum, living a little over the hour it counts
 * (bounded: strata per hour × traces of the hour that needed a claim).
 */
export class SuccessFloorCounter {
  private readonly claim: RedisScript;

  constructor(
    private readonly redis: Redis,
    private readonly floor: number,
    private readonly ttlSeconds = 3 * 3600,
  ) {
    this.claim = new RedisScript(redis, 'agentmonClaimSuccessFloor', CLAIM_SCRIPT, 1);
  }

  async claimMany(claims: readonly FloorClaim[]): Promise<number[]> {
    if (claims.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const claim of claims)
      this.claim.queue(
        pipeline,
        `agentmon:floor:${claim.stratum}`,
        claim.traceId,
        claim.countsAnyway ? '1' : '0',
        String(this.floor),
        String(this.ttlSeconds),
      );
    return (await execPipeline(pipeline)).map(Number);
  }
}

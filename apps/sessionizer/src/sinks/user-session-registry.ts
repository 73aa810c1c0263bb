import type Redis from 'ioredis';
import { execPipeline, RedisScript } from '@agentmon/stream-runtime';

// Idempotent per trace: the number a trace got the first time is returned again on a replay,
// so "first session of a new user" (which forces sampling) is decided the same way twice.
const SESSION_NUMBER_SCRIPT = `
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then return tonumber(existing) end
local n = redis.call('HLEN', KEYS[1]) + 1
redis.call('HSET', KEYS[1], ARGV[1], n)
redis.call('EXPIRE', KEYS[1], ARGV[2])
return n`;

/** Which session of its user a trace is, remembered per project in Redis. */
export class UserSessionRegistry {
  private readonly sessionNumber: RedisScript;

  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
  ) {
    this.sessionNumber = new RedisScript(redis, 'agentmonSessionNumber', SESSION_NUMBER_SCRIPT, 1);
  }

  /** Session numbers for many traces in one round trip; null where the trace has no user. */
  async sessionNumbers(
    traces: readonly { projectId: string; userId: string | null; traceId: string }[],
  ): Promise<(number | null)[]> {
    const pipeline = this.redis.pipeline();
    const asked: number[] = [];
    traces.forEach((trace, index) => {
      if (trace.userId === null) return;
      asked.push(index);
      this.sessionNumber.queue(
        pipeline,
        `agentmon:user-sessions:${trace.projectId}:${trace.userId}`,
        trace.traceId,
        String(this.ttlSeconds),
      );
    });
    const replies = asked.length > 0 ? await execPipeline(pipeline) : [];
    const numbers: (number | null)[] = traces.map(() => null);
    replies.forEach((value, position) => (numbers[asked[position]] = Number(value)));
    return numbers;
  }
}

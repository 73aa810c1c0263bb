import type { ChainableCommander } from 'ioredis';
import type Redis from 'ioredis';

/**
 * A Lua script registered once with ioredis, so calls send EVALSHA (the script body travels
 * only when Redis does not have it yet) instead of the whole text on every call.
 */
export class RedisScript {
  constructor(
    redis: Redis,
    private readonly name: string,
    lua: string,
    numberOfKeys: number,
  ) {
    if (!(name in redis)) redis.defineCommand(name, { numberOfKeys, lua });
  }

  queue(pipeline: ChainableCommander, ...keysAndArgs: string[]): void {
    (pipeline as unknown as Record<string, (...values: string[]) => unknown>)[this.name](
      ...keysAndArgs,
    );
  }
}

/** Runs a pipeline and returns its replies, throwing the first command error. */
export async function execPipeline(pipeline: ChainableCommander): Promise<unknown[]> {
  const results = (await pipeline.exec()) ?? [];
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

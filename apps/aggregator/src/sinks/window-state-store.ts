import type { PartialWindow } from '@agentmon/aggregator-domain';
import { DAY_MS, HOUR_MS } from '@agentmon/aggregator-domain';
import { execPipeline, RedisScript } from '@agentmon/stream-runtime';
import type Redis from 'ioredis';
import type {
  ClaimedWindow,
  PartialMemo,
  PartitionMark,
  RollupLevel,
} from '../ports/aggregator-sinks.port';

const SEP = '\u0001';
/** Redis sorted-set scores and Lua numbers are doubles; ±1e300 stand for ±∞. */
const INF = 1e300;

function finite(value: number): number {
  return value === Infinity ? INF : value === -Infinity ? -INF : value;
}

// Owner epoch bump + the partition's memos, atomically: a write of the previous owner lands
// either before (then its memo is returned) or is fenced off after.
const CLAIM_PARTITION = `
local epoch = redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('EXPIRE', KEYS[1], ARGV[2])
return {epoch, redis.call('ZRANGE', KEYS[2], 0, -1)}`;

// KEYS: epochs, memo zset, window hash, pending zset.
// ARGV: partition, epoch, field, partial json, memo member, through offset, window end,
//       pending member, ttl seconds, memo horizon (the partition's committed offset).
// Memos are scored by their last offset: one wholly below the committed offset serves no
// replay and goes.
const STORE_PARTIAL = `
if tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') ~= tonumber(ARGV[2]) then return -1 end
if redis.call('HSETNX', KEYS[3], ARGV[3], ARGV[4]) == 1 then
  redis.call('HINCRBY', KEYS[3], '_v', 1)
  redis.call('ZADD', KEYS[4], ARGV[7], ARGV[8])
end
redis.call('EXPIRE', KEYS[3], ARGV[9])
redis.call('ZADD', KEYS[2], ARGV[6], ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[10])
redis.call('EXPIRE', KEYS[2], ARGV[9])
return 1`;

// KEYS: epochs, marks. ARGV: partition, epoch, passed-through, ttl.
const STORE_MARK = `
if tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') ~= tonumber(ARGV[2]) then return -1 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[4])
return 1`;

// KEYS: marks, first-seen, pending, inflight.
// ARGV: now, partitions, idle close ms, lease ms, limit, ttl.
// The frontier is the lowest passed-through over every partition of the topic; a partition
// nobody reported counts as passed once it has been unreported for the idle close.
const CLAIM_MERGES = `
local now = tonumber(ARGV[1])
local frontier = ${INF}
for p = 0, tonumber(ARGV[2]) - 1 do
  local mark = redis.call('HGET', KEYS[1], p)
  local passed
  if mark then
    passed = tonumber(mark)
  else
    local seen = redis.call('HGET', KEYS[2], p)
    if not seen then
      redis.call('HSET', KEYS[2], p, now)
      seen = now
    end
    if now - tonumber(seen) >= tonumber(ARGV[3]) then passed = ${INF} else passed = -${INF} end
  end
  if passed < frontier then frontier = passed end
end
redis.call('EXPIRE', KEYS[2], ARGV[6])
local limit = tonumber(ARGV[5])
local lease = now + tonumber(ARGV[4])
local out = {}
local expired = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now, 'LIMIT', 0, limit)
for _, member in ipairs(expired) do
  redis.call('ZADD', KEYS[4], lease, member)
  out[#out + 1] = member
end
if #out < limit then
  local ready = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', string.format('%.17g', frontier), 'LIMIT', 0, limit - #out)
  for _, member in ipairs(ready) do
    redis.call('ZREM', KEYS[3], member)
    redis.call('ZADD', KEYS[4], lease, member)
    out[#out + 1] = member
  end
end
redis.call('EXPIRE', KEYS[3], ARGV[6])
redis.call('EXPIRE', KEYS[4], ARGV[6])
return {lease, out}`;

// KEYS: inflight. ARGV: member, lease. Releases the claim unless another instance took it over.
const COMPLETE_MERGE = `
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) == tonumber(ARGV[2]) then redis.call('ZREM', KEYS[1], ARGV[1]) end
return 1`;

// KEYS: bucket hash. ARGV: field, revision, json, ttl. Keeps the highest revision per field and
// returns every stored input of the bucket.
const PUT_ROLLUP_INPUT = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if (not cur) or tonumber(string.match(cur, '^(%d+)')) < tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '${SEP}' .. ARGV[3])
end
redis.call('EXPIRE', KEYS[1], ARGV[4])
return redis.call('HVALS', KEYS[1])`;

export interface WindowStateOptions {
  /** Namespace: one aggregator deployment (consumer group) per prefix. */
  prefix: string;
  /** Partitions of the traces topic (the merge waits for each of them). */
  partitions: number;
  idleCloseMs: number;
  leaseMs: number;
  ttlSeconds: number;
}

/**
 * The aggregator's state shared by its instances, in Redis: per-partition owner epochs and
 * replay memos, the partials of each series window with their version, partition marks, the
 * queue of windows waiting for their merge (and the claimed ones, under a lease), and the
 * combined partials that feed hourly and daily rollups.
 */
export class WindowStateStore {
  private readonly claimPartitionScript: RedisScript;
  private readonly storePartialScript: RedisScript;
  private readonly storeMarkScript: RedisScript;
  private readonly claimMergesScript: RedisScript;
  private readonly completeMergeScript: RedisScript;
  private readonly putRollupInputScript: RedisScript;

  constructor(
    private readonly redis: Redis,
    private readonly options: WindowStateOptions,
  ) {
    this.claimPartitionScript = new RedisScript(redis, 'aggClaimPartition', CLAIM_PARTITION, 2);
    this.storePartialScript = new RedisScript(redis, 'aggStorePartial', STORE_PARTIAL, 4);
    this.storeMarkScript = new RedisScript(redis, 'aggStoreMark', STORE_MARK, 2);
    this.claimMergesScript = new RedisScript(redis, 'aggClaimMerges', CLAIM_MERGES, 4);
    this.completeMergeScript = new RedisScript(redis, 'aggCompleteMerge', COMPLETE_MERGE, 1);
    this.putRollupInputScript = new RedisScript(redis, 'aggPutRollupInput', PUT_ROLLUP_INPUT, 1);
  }

  private key(...parts: (string | number)[]): string {
    return [this.options.prefix, ...parts].join(':');
  }

  private windowKey(projectId: string, windowStart: number): string {
    return this.key('w', projectId, windowStart);
  }

  async claimPartition(partition: number): Promise<{ epoch: number; memos: PartialMemo[] }> {
    const pipeline = this.redis.pipeline();
    this.claimPartitionScript.queue(
      pipeline,
      this.key('epochs'),
      this.key('memo', partition),
      String(partition),
      String(this.options.ttlSeconds),
    );
    const [result] = (await execPipeline(pipeline)) as [[number, string[]]];
    const [epoch, members] = result;
    const memos = members.map((member) => {
      const [project_id, start, generation, through] = member.split(SEP);
      return {
        partition,
        project_id: project_id!,
        window_start: Number(start),
        generation: Number(generation),
        through_offset: Number(through),
      };
    });
    return { epoch: Number(epoch), memos };
  }

  async storePartials(
    partials: readonly PartialWindow[],
    marks: readonly PartitionMark[],
    epochs: ReadonlyMap<number, number>,
    memoHorizons: ReadonlyMap<number, number>,
  ): Promise<number[]> {
    if (partials.length === 0 && marks.length === 0) return [];
    const pipeline = this.redis.pipeline();
    const ttl = String(this.options.ttlSeconds);
    const partitionOfReply: number[] = [];
    for (const p of partials) {
      const epoch = epochs.get(p.partition);
      if (epoch === undefined) continue;
      this.storePartialScript.queue(
        pipeline,
        this.key('epochs'),
        this.key('memo', p.partition),
        this.windowKey(p.project_id, p.window_start),
        this.key('pending'),
        String(p.partition),
        String(epoch),
        // One field per group of records (its first offset): a group rebuilt by a replay lands
        // on its own field again instead of adding a copy.
        `${p.partition}:${p.from_offset}`,
        JSON.stringify(p),
        [p.project_id, p.window_start, p.generation, p.through_offset].join(SEP),
        String(p.through_offset),
        String(p.window_start + p.window_size_ms),
        `${p.project_id}${SEP}${p.window_start}`,
        ttl,
        String(finite(memoHorizons.get(p.partition) ?? -Infinity)),
      );
      partitionOfReply.push(p.partition);
    }
    // Marks after the partials: a mark never claims more than what is stored.
    for (const mark of marks) {
      const epoch = epochs.get(mark.partition);
      if (epoch === undefined) continue;
      this.storeMarkScript.queue(
        pipeline,
        this.key('epochs'),
        this.key('marks'),
        String(mark.partition),
        String(epoch),
        String(finite(mark.passedThrough)),
        ttl,
      );
      partitionOfReply.push(mark.partition);
    }
    const replies = (await execPipeline(pipeline)) as number[];
    const fenced = new Set<number>();
    replies.forEach((reply, i) => {
      if (Number(reply) === -1) fenced.add(partitionOfReply[i]!);
    });
    return [...fenced];
  }

  async claimMerges(now: number, limit: number): Promise<ClaimedWindow[]> {
    const pipeline = this.redis.pipeline();
    this.claimMergesScript.queue(
      pipeline,
      this.key('marks'),
      this.key('seen'),
      this.key('pending'),
      this.key('inflight'),
      String(now),
      String(this.options.partitions),
      String(this.options.idleCloseMs),
      String(this.options.leaseMs),
      String(limit),
      String(this.options.ttlSeconds),
    );
    const [[lease, members]] = (await execPipeline(pipeline)) as [[number, string[]]];
    if (members.length === 0) return [];
    const reads = this.redis.pipeline();
    const ids = members.map((member) => {
      const [projectId, start] = member.split(SEP);
      reads.hgetall(this.windowKey(projectId!, Number(start)));
      return { projectId: projectId!, windowStart: Number(start) };
    });
    const hashes = (await execPipeline(reads)) as Record<string, string>[];
    return ids.map(({ projectId, windowStart }, i) => {
      const hash = hashes[i] ?? {};
      const partials: PartialWindow[] = [];
      for (const [field, value] of Object.entries(hash)) {
        if (field !== '_v') partials.push(JSON.parse(value) as PartialWindow);
      }
      partials.sort((a, b) => a.partition - b.partition || a.generation - b.generation);
      return {
        projectId,
        windowStart,
        version: Number(hash._v ?? 0),
        partials,
        lease: Number(lease),
      };
    });
  }

  async completeMerges(claims: readonly ClaimedWindow[]): Promise<void> {
    if (claims.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const claim of claims) {
      this.completeMergeScript.queue(
        pipeline,
        this.key('inflight'),
        `${claim.projectId}${SEP}${claim.windowStart}`,
        String(claim.lease),
      );
    }
    await execPipeline(pipeline);
  }

  async storeRollupInputs(
    level: RollupLevel,
    partials: readonly PartialWindow[],
  ): Promise<{ bucketStart: number; projectId: string; inputs: PartialWindow[] }[]> {
    if (partials.length === 0) return [];
    const size = level === 'hour' ? HOUR_MS : DAY_MS;
    const pipeline = this.redis.pipeline();
    const buckets: { bucketStart: number; projectId: string }[] = [];
    for (const p of partials) {
      const bucketStart = Math.floor(p.window_start / size) * size;
      this.putRollupInputScript.queue(
        pipeline,
        this.key(level, p.project_id, bucketStart),
        String(p.window_start),
        String(p.generation),
        JSON.stringify(p),
        String(this.options.ttlSeconds),
      );
      buckets.push({ bucketStart, projectId: p.project_id });
    }
    const replies = (await execPipeline(pipeline)) as string[][];
    // The last reply of a bucket saw every input written in this pipeline.
    const latest = new Map<
      string,
      { bucketStart: number; projectId: string; inputs: PartialWindow[] }
    >();
    replies.forEach((values, i) => {
      const { bucketStart, projectId } = buckets[i]!;
      const inputs = values.map(
        (value) => JSON.parse(value.slice(value.indexOf(SEP) + 1)) as PartialWindow,
      );
      latest.set(`${projectId}${SEP}${bucketStart}`, { bucketStart, projectId, inputs });
    });
    return [...latest.values()];
  }
}

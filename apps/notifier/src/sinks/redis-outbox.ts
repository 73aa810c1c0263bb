import type { SlackMessage } from '@agentmon/notifier-domain';
import type Redis from 'ioredis';

/** One alert carried by a message: what markDelivered and the delivery log need. */
export interface OutboxAlert {
  alert_id: string;
  /** Cooldown key (markDelivered after success). */
  cooldown_key: string;
  project_id: string;
  /** The alert's own time (alert_deliveries' partition key). */
  time: number;
}

/** A message waiting to reach Slack, durable in Redis until it is delivered (or refused for good). */
export interface OutboxEnvelope {
  id: string;
  kind: 'alert' | 'digest';
  /** FIFO queue: one per project and metric (alerts) or per project (digests). */
  queue: string;
  project_id: string;
  metric: string;
  message: SlackMessage;
  alerts: OutboxAlert[];
  enqueued_at: number;
  /** Delivery rounds so far (each up to NOTIFIER_MAX_ATTEMPTS POSTs); > 0: it was parked. */
  rounds: number;
  attempts: number;
  last_error: string | null;
}

/** A row for ClickHouse, journaled in Redis together with the state change it describes. */
export interface JournalEntry {
  table: string;
  row: object;
}

export interface TakenMessage {
  queue: string;
  envelope: OutboxEnvelope;
}

// Keys (ARGV[1] is the prefix): outbox:due (zset queue → next attempt), outbox:q:<queue> (list of
// ids, FIFO), outbox:m:<id> (envelope), outbox:seen:<id> (enqueued once), journal (list of rows).

// ARGV: prefix, id, queue, envelope, now, seen_ttl_ms, journal rows...
const ENQUEUE = `
local p = ARGV[1]
if redis.call('SET', p .. 'outbox:seen:' .. ARGV[2], '1', 'PX', ARGV[6], 'NX') == false then return 0 end
redis.call('SET', p .. 'outbox:m:' .. ARGV[2], ARGV[4])
redis.call('RPUSH', p .. 'outbox:q:' .. ARGV[3], ARGV[2])
redis.call('ZADD', p .. 'outbox:due', 'NX', ARGV[5], ARGV[3])
for i = 7, #ARGV do redis.call('RPUSH', p .. 'journal', ARGV[i]) end
return 1`;

// ARGV: prefix, now, lease_until, limit. Leases the head of each due queue.
const TAKE = `
local p = ARGV[1]
local queues = redis.call('ZRANGEBYSCORE', p .. 'outbox:due', '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[4]))
local out = {}
for _, q in ipairs(queues) do
  local qkey = p .. 'outbox:q:' .. q
  local head = redis.call('LINDEX', qkey, 0)
  while head and redis.call('EXISTS', p .. 'outbox:m:' .. head) == 0 do
    redis.call('LPOP', qkey)
    head = redis.call('LINDEX', qkey, 0)
  end
  if head then
    redis.call('ZADD', p .. 'outbox:due', ARGV[3], q)
    table.insert(out, q)
    table.insert(out, redis.call('GET', p .. 'outbox:m:' .. head))
  else
    redis.call('ZREM', p .. 'outbox:due', q)
  end
end
return out`;

// ARGV: prefix, queue, id, now, journal rows... Removes the delivered head; the next one is due now.
const ACK = `
local p = ARGV[1]
local qkey = p .. 'outbox:q:' .. ARGV[2]
if redis.call('LINDEX', qkey, 0) ~= ARGV[3] then return 0 end
redis.call('LPOP', qkey)
redis.call('DEL', p .. 'outbox:m:' .. ARGV[3])
if redis.call('LLEN', qkey) > 0 then
  redis.call('ZADD', p .. 'outbox:due', ARGV[4], ARGV[2])
else
  redis.call('ZREM', p .. 'outbox:due', ARGV[2])
end
for i = 5, #ARGV do redis.call('RPUSH', p .. 'journal', ARGV[i]) end
return 1`;

// ARGV: prefix, queue, id, next_at, envelope, journal rows... Parks the head until next_at.
const PARK = `
local p = ARGV[1]
local qkey = p .. 'outbox:q:' .. ARGV[2]
if redis.call('LINDEX', qkey, 0) ~= ARGV[3] then return 0 end
redis.call('SET', p .. 'outbox:m:' .. ARGV[3], ARGV[5])
redis.call('ZADD', p .. 'outbox:due', ARGV[4], ARGV[2])
for i = 6, #ARGV do redis.call('RPUSH', p .. 'journal', ARGV[i]) end
return 1`;

// ARGV: prefix, token, count. Drops the flushed rows only while the flusher still holds the lock
// (a flusher whose lock ran out leaves them: they are inserted again, and collapse).
const TRIM = `
if redis.call('GET', ARGV[1] .. 'journal:lock') ~= ARGV[2] then return 0 end
redis.call('LTRIM', ARGV[1] .. 'journal', tonumber(ARGV[3]), -1)
return 1`;

// ARGV: prefix, token. Releases the journal lock if still ours.
const RELEASE = `
if redis.call('GET', ARGV[1] .. 'journal:lock') == ARGV[2] then
  return redis.call('DEL', ARGV[1] .. 'journal:lock')
end
return 0`;

type Commands = Record<string, (...args: string[]) => Promise<unknown>>;

const SCRIPTS = {
  agentmonOutboxEnqueue: ENQUEUE,
  agentmonOutboxTake: TAKE,
  agentmonOutboxAck: ACK,
  agentmonOutboxPark: PARK,
  agentmonJournalRelease: RELEASE,
  agentmonJournalTrim: TRIM,
};

/**
 * The notifier's durable outbox in Redis. Every Slack message goes through it: enqueued
 * (idempotently, by message id) in the stage's write before the offsets are committed, then
 * delivered by the dispatcher. Messages of one queue (project + metric) go out in order, one at a
 * time; a failed head is parked until its next round while other queues move on. Taking a head
 * leases it: if the instance dies mid-delivery, another one takes it after the lease. The
 * ClickHouse rows describing each change are journaled in the same script (nothing recorded
 * twice or lost on SIGKILL) and flushed by `takeJournal`.
 */
export class RedisOutbox {
  private readonly commands: Commands;

  constructor(
    private readonly redis: Redis,
    readonly prefix: string,
  ) {
    for (const [name, lua] of Object.entries(SCRIPTS)) {
      if (!(name in redis)) redis.defineCommand(name, { numberOfKeys: 0, lua });
    }
    this.commands = redis as unknown as Commands;
  }

  /** true when newly queued; false when this id was already enqueued (a replay). */
  async enqueue(
    envelope: OutboxEnvelope,
    now: number,
    seenTtlMs: number,
    journal: readonly JournalEntry[] = [],
  ): Promise<boolean> {
    const reply = await this.commands.agentmonOutboxEnqueue(
      this.prefix,
      envelope.id,
      envelope.queue,
      JSON.stringify(envelope),
      String(now),
      String(Math.max(1, seenTtlMs)),
      ...journal.map((entry) => JSON.stringify(entry)),
    );
    return reply === 1;
  }

  /** Leases the heads of up to `limit` due queues until `leaseUntil`. */
  async take(now: number, leaseUntil: number, limit: number): Promise<TakenMessage[]> {
    const reply = (await this.commands.agentmonOutboxTake(
      this.prefix,
      String(now),
      String(leaseUntil),
      String(limit),
    )) as string[];
    const taken: TakenMessage[] = [];
    for (let i = 0; i < reply.length; i += 2) {
      taken.push({ queue: reply[i], envelope: JSON.parse(reply[i + 1]) as OutboxEnvelope });
    }
    return taken;
  }

  /** Delivered (or refused for good): removed; the queue's next message is due at once. */
  async ack(
    queue: string,
    id: string,
    now: number,
    journal: readonly JournalEntry[],
  ): Promise<boolean> {
    const reply = await this.commands.agentmonOutboxAck(
      this.prefix,
      queue,
      id,
      String(now),
      ...journal.map((entry) => JSON.stringify(entry)),
    );
    return reply === 1;
  }

  /** Failed this round: the head stays (its queue waits) until nextAt. */
  async park(
    queue: string,
    envelope: OutboxEnvelope,
    nextAt: number,
    journal: readonly JournalEntry[],
  ): Promise<boolean> {
    const reply = await this.commands.agentmonOutboxPark(
      this.prefix,
      queue,
      envelope.id,
      String(nextAt),
      JSON.stringify(envelope),
      ...journal.map((entry) => JSON.stringify(entry)),
    );
    return reply === 1;
  }

  /** Messages waiting (all queues), and the earliest next attempt. */
  async depth(): Promise<{ queues: number; nextDueAt: number | null }> {
    const key = `${this.prefix}outbox:due`;
    const [count, first] = await Promise.all([
      this.redis.zcard(key),
      this.redis.zrange(key, 0, 0, 'WITHSCORES'),
    ]);
    return { queues: count, nextDueAt: first.length === 2 ? Number(first[1]) : null };
  }

  /** Adds rows to the journal on their own (the stage's decisions). */
  async journal(entries: readonly JournalEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.redis.rpush(
      `${this.prefix}journal`,
      ...entries.map((entry) => JSON.stringify(entry)),
    );
  }

  /**
   * Runs `flush` on the journal's first `limit` rows under a lock (one flusher across instances),
   * then drops them. A crash between the insert and the trim inserts them again: the tables are
   * ReplacingMergeTrees keyed by the rows' identity.
   */
  async drainJournal(
    limit: number,
    lockMs: number,
    flush: (entries: JournalEntry[]) => Promise<void>,
  ): Promise<number> {
    const token = `${process.pid}-${Math.random().toString(36).slice(2)}`;
    const lockKey = `${this.prefix}journal:lock`;
    if ((await this.redis.set(lockKey, token, 'PX', lockMs, 'NX')) !== 'OK') return 0;
    try {
      const raw = await this.redis.lrange(`${this.prefix}journal`, 0, limit - 1);
      if (raw.length === 0) return 0;
      await flush(raw.map((text) => JSON.parse(text) as JournalEntry));
      const trimmed = await this.commands.agentmonJournalTrim(
        this.prefix,
        token,
        String(raw.length),
      );
      return trimmed === 1 ? raw.length : 0;
    } finally {
      await this.commands.agentmonJournalRelease(this.prefix, token);
    }
  }

  /** A message Slack refused for good (400: invalid payload): kept for inspection, not retried. */
  async keepRefused(envelope: OutboxEnvelope): Promise<void> {
    await this.redis.hset(`${this.prefix}outbox:refused`, envelope.id, JSON.stringify(envelope));
  }

  journalLength(): Promise<number> {
    return this.redis.llen(`${this.prefix}journal`);
  }
}

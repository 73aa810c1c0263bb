import type { CooldownOperation, CooldownRecord, CooldownVerdict } from '@agentmon/notifier-domain';
import type Redis from 'ioredis';

// decideCooldown (libs/notifier-domain/src/cooldown.ts) as one atomic step: read the record,
// decide, write the next record with a fresh TTL. The unit table and the integration test check
// that both give the same verdicts.
// KEYS[1] record key; ARGV: alert_id, state, now, cooldown_ms, send_resolved (1/0), retention_ms.
const CLAIM_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
local rec = nil
if cur then rec = cjson.decode(cur) end
local id, state, now, cooldown = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
if rec and rec.alert_id == id and rec.state == state then
  if rec.delivered then return 'already_sent' end
  return 'send'
end
local function put(delivered)
  redis.call('SET', KEYS[1], cjson.encode({state = state, alert_id = id, at = now, delivered = delivered}), 'PX', ARGV[6])
end
if state == 'firing' then
  if rec and rec.state == 'firing' and now < rec.at + cooldown then return 'cooldown' end
  put(false)
  return 'send'
end
if ARGV[5] ~= '1' then put(true) return 'resolve_disabled' end
if (not rec) or rec.state == 'resolved' then return 'resolve_unneeded' end
put(false)
return 'send'`;

// KEYS[1] record key; ARGV[1] alert_id. Keeps the TTL.
const MARK_DELIVERED_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
if not cur then return 0 end
local rec = cjson.decode(cur)
if rec.alert_id ~= ARGV[1] or rec.delivered then return 0 end
rec.delivered = true
redis.call('SET', KEYS[1], cjson.encode(rec), 'KEEPTTL')
return 1`;

const VERDICTS: ReadonlySet<string> = new Set<CooldownVerdict>([
  'send',
  'cooldown',
  'already_sent',
  'resolve_unneeded',
  'resolve_disabled',
]);

type ScriptCommands = {
  agentmonNotifierClaim(key: string, ...args: string[]): Promise<string>;
  agentmonNotifierMarkDelivered(key: string, alertId: string): Promise<number>;
};

/**
 * The notifier's shared memory in Redis, safe across instances: cooldown claims (one atomic
 * script per alert, so of two instances only one gets `send`) and once-only claims (digests).
 */
export class RedisCooldownStore {
  private readonly commands: ScriptCommands;

  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'agentmon:notifier:',
  ) {
    if (!('agentmonNotifierClaim' in redis)) {
      redis.defineCommand('agentmonNotifierClaim', { numberOfKeys: 1, lua: CLAIM_SCRIPT });
      redis.defineCommand('agentmonNotifierMarkDelivered', {
        numberOfKeys: 1,
        lua: MARK_DELIVERED_SCRIPT,
      });
    }
    this.commands = redis as unknown as ScriptCommands;
  }

  /** Runs the cooldown rule atomically for one alert; `send` means this instance sends it. */
  async claim(op: CooldownOperation): Promise<CooldownVerdict> {
    const verdict = await this.commands.agentmonNotifierClaim(
      this.prefix + op.key,
      op.alert_id,
      op.state,
      String(op.now),
      String(op.cooldown_ms),
      op.send_resolved ? '1' : '0',
      String(Math.max(1, op.retention_ms)),
    );
    if (!VERDICTS.has(verdict)) throw new Error(`unexpected cooldown verdict ${String(verdict)}`);
    return verdict as CooldownVerdict;
  }

  /** After the message carrying this alert was delivered: a replay of it is not sent again. */
  async markDelivered(key: string, alertId: string): Promise<boolean> {
    return (await this.commands.agentmonNotifierMarkDelivered(this.prefix + key, alertId)) === 1;
  }

  async get(key: string): Promise<CooldownRecord | null> {
    const value = await this.redis.get(this.prefix + key);
    return value === null ? null : (JSON.parse(value) as CooldownRecord);
  }

  /**
   * Claims an id once (SET NX PX), e.g. a digest id: true for exactly one caller until ttlMs
   * passes. Claim before sending: a crash after the claim loses that one digest, never doubles it.
   */
  async claimOnce(id: string, ttlMs: number): Promise<boolean> {
    const reply = await this.redis.set(
      `${this.prefix}once:${id}`,
      '1',
      'PX',
      Math.max(1, ttlMs),
      'NX',
    );
    return reply === 'OK';
  }

  /** Gives a once-claim back (the send failed for good and should be retried later). */
  async releaseOnce(id: string): Promise<void> {
    await this.redis.del(`${this.prefix}once:${id}`);
  }
}

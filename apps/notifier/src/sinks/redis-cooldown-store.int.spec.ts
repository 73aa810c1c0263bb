import {
  type CooldownOperation,
  type CooldownRecord,
  decideCooldown,
} from '@agentmon/notifier-domain';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { RedisCooldownStore } from './redis-cooldown-store';

const T = Date.UTC(2025, 0, 1, 10);

describe('RedisCooldownStore (real Redis)', () => {
  let redis: Redis;
  let other: Redis;
  let store: RedisCooldownStore;
  let prefix: string;

  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: 3 });
    other = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: 3 });
  });
  beforeEach(() => {
    prefix = `test:notifier:${randomUUID()}:`;
    store = new RedisCooldownStore(redis, prefix);
  });
  afterAll(async () => {
    const keys = await redis.keys('test:notifier:*');
    if (keys.length) await redis.del(...keys);
    await Promise.all([redis.quit(), other.quit()]);
  });

  const op = (partial: Partial<CooldownOperation>): CooldownOperation => ({
    key: 'cooldown:p1:completion_rate:all:critical',
    alert_id: 'a1',
    state: 'firing',
    now: T,
    cooldown_ms: 300_000,
    send_resolved: true,
    retention_ms: 3_600_000,
    ...partial,
  });

  it('gives the same verdicts and records as the pure rule over a scripted sequence', async () => {
    const steps: Partial<CooldownOperation>[] = [
      { alert_id: 'a1' },
      { alert_id: 'a1' }, // replay before delivery
      { alert_id: 'a2', now: T + 60_000 },
      { alert_id: 'a3', now: T + 300_000 },
      { alert_id: 'r1', state: 'resolved', now: T + 310_000 },
      { alert_id: 'r2', state: 'resolved', now: T + 320_000 },
      { alert_id: 'a4', now: T + 330_000 },
      { alert_id: 'r3', state: 'resolved', now: T + 340_000, send_resolved: false },
      { alert_id: 'a5', now: T + 350_000 },
      { alert_id: 'r4', state: 'resolved', now: T + 360_000 },
    ];
    let model: CooldownRecord | null = null;
    const verdicts: string[] = [];
    for (const step of steps) {
      const expected = decideCooldown(model, op(step));
      if (expected.next) model = expected.next;
      const verdict = await store.claim(op(step));
      verdicts.push(verdict);
      expect(verdict).toBe(expected.verdict);
      expect(await store.get(op(step).key)).toEqual(model);
    }
    expect(verdicts).toEqual([
      'send',
      'send',
      'cooldown',
      'send',
      'send',
      'resolve_unneeded',
      'send',
      'resolve_disabled',
      'send',
      'send',
    ]);
  });

  it('markDelivered turns a replay into already_sent, only for its own alert', async () => {
    await store.claim(op({}));
    expect(await store.markDelivered(op({}).key, 'other')).toBe(false);
    expect(await store.markDelivered(op({}).key, 'a1')).toBe(true);
    expect(await store.markDelivered(op({}).key, 'a1')).toBe(false);
    expect(await store.claim(op({}))).toBe('already_sent');
    const ttl = await redis.pttl(prefix + op({}).key);
    expect(ttl).toBeGreaterThan(3_500_000);
  });

  it('records expire after the retention', async () => {
    await store.claim(op({ retention_ms: 50 }));
    await new Promise((r) => setTimeout(r, 120));
    expect(await store.get(op({}).key)).toBeNull();
  });

  it('two instances racing on the same key: exactly one sends', async () => {
    const storeB = new RedisCooldownStore(other, prefix);
    for (let round = 0; round < 20; round++) {
      const key = `race:${round}`;
      const verdicts = await Promise.all([
        store.claim(op({ key, alert_id: `a-${round}` })),
        storeB.claim(op({ key, alert_id: `b-${round}` })),
      ]);
      expect(verdicts.sort()).toEqual(['cooldown', 'send']);
    }
  });

  it('claimOnce: one winner per id, again after release', async () => {
    const storeB = new RedisCooldownStore(other, prefix);
    const results = await Promise.all([
      store.claimOnce('digest:p1:2025-01-01', 60_000),
      storeB.claimOnce('digest:p1:2025-01-01', 60_000),
    ]);
    expect(results.sort()).toEqual([false, true]);
    await store.releaseOnce('digest:p1:2025-01-01');
    expect(await storeB.claimOnce('digest:p1:2025-01-01', 60_000)).toBe(true);
  });
});

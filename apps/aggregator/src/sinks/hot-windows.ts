import { metricSeriesKey, type MetricWindow } from '@agentmon/contracts';
import { execPipeline, RedisScript } from '@agentmon/stream-runtime';
import type Redis from 'ioredis';

const HOUR_MS = 3_600_000;

// KEYS: latest key, last-hour hash. ARGV: window start, revision, json, ttl seconds.
// Latest: only a later window, or the same window at a higher revision, replaces it.
// Last hour: one field per window start (highest revision), trimmed to the hour before the
// latest window.
const PUT_WINDOW = `
local ws = tonumber(ARGV[1])
local rev = tonumber(ARGV[2])
local latest = ws
local cur = redis.call('GET', KEYS[1])
local put = true
if cur then
  local c = cjson.decode(cur)
  if c.window_start > ws or (c.window_start == ws and c.revision >= rev) then put = false end
  if c.window_start > latest then latest = c.window_start end
end
if put then redis.call('SET', KEYS[1], ARGV[3], 'EX', ARGV[4]) end
local old = redis.call('HGET', KEYS[2], ARGV[1])
if (not old) or cjson.decode(old).revision < rev then redis.call('HSET', KEYS[2], ARGV[1], ARGV[3]) end
for _, field in ipairs(redis.call('HKEYS', KEYS[2])) do
  if tonumber(field) <= latest - ${HOUR_MS} then redis.call('HDEL', KEYS[2], field) end
end
redis.call('EXPIRE', KEYS[2], ARGV[4])
return 1`;

/**
 * The hot view the console reads without ClickHouse: per series, the latest closed window
 * (`agentmon:metrics:<series>:latest`) and the last hour of windows
 * (`agentmon:metrics:<series>:hour`, a hash by window start). Written once per merged window.
 */
export class HotWindows {
  private readonly put: RedisScript;

  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
  ) {
    this.put = new RedisScript(redis, 'aggPutHotWindow', PUT_WINDOW, 2);
  }

  static keys(window: Pick<MetricWindow, 'project_id' | 'metric_group' | 'slice'>) {
    const series = `agentmon:metrics:${metricSeriesKey(window)}`;
    return { latest: `${series}:latest`, hour: `${series}:hour` };
  }

  async putMany(windows: readonly MetricWindow[]): Promise<void> {
    if (windows.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const window of windows) {
      const keys = HotWindows.keys(window);
      this.put.queue(
        pipeline,
        keys.latest,
        keys.hour,
        String(window.window_start),
        String(window.revision),
        JSON.stringify(window),
        String(this.ttlSeconds),
      );
    }
    await execPipeline(pipeline);
  }
}

import { WindowAggregator } from '@agentmon/aggregator-domain';
import type { MetricWindow, TraceSummary } from '@agentmon/contracts';
import { waitFor } from '@agentmon/launcher';
import { RetryPolicy, StageRunner } from '@agentmon/stream-runtime';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { AggregatorStage } from '../consumer/aggregator.stage';
import { WindowMerger } from '../consumer/window-merger';
import type { WindowRow } from '../ports/aggregator-sinks.port';
import { AggregatorSinksAdapter } from '../sinks/aggregator-sinks.adapter';
import { WindowStateStore } from '../sinks/window-state-store';
import { expectedByWindow, variedTraces } from './aggregator-harness';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const IDLE_CLOSE_MS = 300;

/**
 * The shared state in the real Redis; the merged windows kept here at their highest revision
 * instead of ClickHouse (the exactness suite covers the app with its real sinks).
 */
class RecordingSinks extends AggregatorSinksAdapter {
  readonly latest = new Map<number, MetricWindow>();

  constructor(state: WindowStateStore) {
    // The adapter's ClickHouse table, hot keys and producer are not reached: writeWindows is
    // this class's own.
    super(state, null as never, null as never, null as never);
  }

  override async writeWindows(_rows: readonly WindowRow[], minuteWindows: readonly MetricWindow[]) {
    for (const window of minuteWindows) {
      if (window.slice.dimension !== 'all') continue;
      const kept = this.latest.get(window.window_start);
      if (kept === undefined || window.revision >= kept.revision)
        this.latest.set(window.window_start, window);
    }
  }

  total(): number {
    return [...this.latest.values()].reduce((sum, window) => sum + window.trace_count, 0);
  }
}

/** One aggregator instance as the app runs it (the runtime's runner around the stage), in process. */
function instance(sinks: RecordingSinks, refuseCommitsFrom: number) {
  let replaysSkipped = 0;
  const committed: number[] = [];
  const stage = new AggregatorStage(
    new WindowAggregator({ idleCloseMs: IDLE_CLOSE_MS }),
    sinks,
    new WindowMerger(sinks, 50, 200),
    {
      partialsStored: () => undefined,
      merged: () => undefined,
      fenced: () => undefined,
      replaysSkipped: (count) => (replaysSkipped += count),
      windowsClosedEarly: () => undefined,
    },
    { idleCloseMs: IDLE_CLOSE_MS, windowSizeMs: MIN },
  );
  const runner = new StageRunner(
    stage,
    {
      // A member whose session expired: the coordinator refuses its commits.
      commit: async (_partition, offset) => {
        if (Number(offset) > refuseCommitsFrom)
          throw new Error('The coordinator is not aware of this member');
        committed.push(Number(offset));
      },
      publishDeadLetters: async () => undefined,
      heartbeat: async () => undefined,
    },
    new RetryPolicy({ initialDelayMs: 10, maxDelayMs: 100, maxAttempts: Infinity }),
  );
  return {
    replaysSkipped: () => replaysSkipped,
    lastCommitted: () => committed.at(-1) ?? 0,
    /** Hands records from `fromOffset` on in batches, as the consumer would, then lets time pass. */
    async consume(traces: readonly TraceSummary[], fromOffset: number): Promise<void> {
      for (let offset = fromOffset; offset < traces.length; offset += 50) {
        const records = traces.slice(offset, offset + 50).map((value, i) => ({
          offset: String(offset + i),
          key: value.trace_id,
          timestamp: value.ended_at,
          value,
        }));
        await runner.handle({ partition: 0, records });
        // The partition's claim (owner epoch, memos) resolves between batches.
        await new Promise((resolve) => setTimeout(resolve, 10));
        await runner.tick();
      }
    },
    /** Ticks until every window closed (idle) and merged. */
    async settle(sinks: RecordingSinks, expected: number): Promise<void> {
      await waitFor(
        `${expected} traces merged`,
        async () => {
          await runner.tick();
          return sinks.total() >= expected && stage.openWindows === 0 ? true : undefined;
        },
        { timeoutMs: 30000, intervalMs: 50 },
      );
      // A few more cycles past the idle close: anything counted twice would merge now.
      const until = Date.now() + 3 * IDLE_CLOSE_MS;
      while (Date.now() < until) {
        await runner.tick();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

describe('aggregator replays after commits were refused (a lost group membership)', () => {
  const redis = new Redis(process.env.REDIS_URL!);
  afterAll(() => redis.disconnect());

  function world() {
    const state = new WindowStateStore(redis, {
      prefix: `agentmon:agg:replay-it-${randomUUID()}`,
      partitions: 1,
      idleCloseMs: IDLE_CLOSE_MS,
      leaseMs: 5000,
      ttlSeconds: 600,
    });
    // Three days of sparse history sent at once (a backfill): far more event time than the
    // 6 h a closed window's memo stays in memory.
    const project = `p-${randomUUID()}`;
    const from = Math.floor((Date.now() - 4 * DAY) / MIN) * MIN;
    const traces = variedTraces(project, 900, from, 3 * DAY, 11).sort(
      (a, b) => a.ended_at - b.ended_at,
    );
    return { state, traces };
  }

  function expectExact(sinks: RecordingSinks, traces: readonly TraceSummary[]): void {
    const expected = expectedByWindow(traces);
    const counted = [...sinks.latest].map(([start, w]) => [start, w.trace_count]);
    const want = [...expected].map(([start, e]) => [start, e.trace_count]);
    expect(counted.sort((a, b) => a[0]! - b[0]!)).toEqual(want.sort((a, b) => a[0]! - b[0]!));
  }

  it.each([
    ['no commit got through', -1],
    ['commits stopped a third of the way in', 300],
  ])(
    'the next owner replays from the committed offset and counts every trace once: %s',
    async (_what, refuseCommitsFrom) => {
      const { state, traces } = world();
      const sinks = new RecordingSinks(state);
      const first = instance(sinks, refuseCommitsFrom);
      await first.consume(traces, 0);
      await first.settle(sinks, traces.length);
      expectExact(sinks, traces);

      // The partition's next owner (or this process after a restart) resumes at the offset
      // the group holds, behind everything the first instance stored.
      const replayFrom = refuseCommitsFrom < 0 ? 0 : first.lastCommitted();
      const second = instance(sinks, Infinity);
      await second.consume(traces, replayFrom);
      await second.settle(sinks, traces.length);
      expect(second.replaysSkipped()).toBe(traces.length - replayFrom);
      expectExact(sinks, traces);
    },
    90_000,
  );
});

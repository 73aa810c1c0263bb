import { Topics } from '@agentmon/contracts';
import { waitFor } from '@agentmon/launcher';
import { readTopicUntil } from '@agentmon/testing';
import { metricValue, StageHarness } from './test/stage-harness';

describe('stage runtime with the embedded broker and Redis', () => {
  const harness = new StageHarness();
  beforeAll(() => harness.setUp());
  afterAll(() => harness.tearDown());

  it('stores the good records around a poison one, dead-letters the poison with the reason, and keeps consuming', async () => {
    const stage = harness.start();
    try {
      await stage.url();
      const batch = harness.alerts(21, (i) => (i === 10 ? { message: 'poison record' } : {}));
      await harness.produce(batch);
      const poison = batch[10];
      const good = batch.filter((alert) => alert !== poison).map((alert) => alert.alert_id);
      await harness.waitForIds(good);
      const letters = await readTopicUntil(harness.kafka, Topics.deadLetter, (records) =>
        records.some((letter) => letter.value?.data.includes(poison.alert_id)),
      );
      const letter = letters.find((l) => l.value?.data.includes(poison.alert_id))!;
      expect(letter).toMatchObject({
        source_topic: Topics.alerts,
        reason: 'sink_rejected',
        consumer: 'probe',
      });
      expect(letter.message).toContain('refuses poison');
      expect(await harness.storedIds()).not.toContain(poison.alert_id);
      // Consumption continues after the poison record.
      const later = harness.alerts(5);
      await harness.produce(later);
      await harness.waitForIds(later.map((alert) => alert.alert_id));
    } finally {
      await stage.stop(10000);
    }
  });

  it('retries a failing sink with backoff, reports not-ready meanwhile, and keeps its group membership', async () => {
    // About 8 failing attempts at up to 1.6 s each outlast the 3 s session timeout: only the
    // heartbeats sent while retrying keep the member in the group.
    const stage = harness.start({
      PROBE_TRANSIENT_FAILURES: '8',
      RETRY_INITIAL_DELAY_MS: '400',
      RETRY_MAX_DELAY_MS: '1600',
      PROBE_SESSION_TIMEOUT_MS: '3000',
    });
    try {
      const url = await stage.url();
      await harness.waitForIds([]); // nothing expected yet; the probe is up
      const batch = harness.alerts(6);
      await harness.produce(batch);
      const notReady = await waitForStatus(url, 503);
      expect(notReady.checks.stage).toBe(false);
      await harness.waitForIds(
        batch.map((alert) => alert.alert_id),
        60000,
      );
      await waitForStatus(url, 200);
      expect(await metricValue(url, 'agentmon_stage_write_retries_total')).toBe(8);
      expect(await metricValue(url, 'agentmon_stage_revoked_partitions_total')).toBe(0);
      expect(await metricValue(url, 'agentmon_stage_commit_failures_total')).toBe(0);
    } finally {
      await stage.stop(10000);
    }
  });

  it('keeps its group membership through a write slower than the session timeout', async () => {
    // No failure and so no retry heartbeats: only heartbeats while the batch is in flight
    // keep the member in the group (a backfill's merge cycle can take this long).
    const stage = harness.start({ PROBE_WRITE_DELAY_MS: '7000', PROBE_SESSION_TIMEOUT_MS: '3000' });
    try {
      const url = await stage.url();
      await waitForStatus(url, 200);
      const batch = harness.alerts(9);
      await harness.produce(batch);
      await harness.waitForIds(
        batch.map((alert) => alert.alert_id),
        60000,
      );
      expect(await metricValue(url, 'agentmon_stage_commit_failures_total')).toBe(0);
      expect(await metricValue(url, 'agentmon_stage_group_joins_total')).toBe(1);
    } finally {
      await stage.stop(20000);
    }
  }, 90_000);

  it('after SIGKILL mid-stream replays only what was not durable', async () => {
    const first = harness.start({ PROBE_WRITE_DELAY_MS: '30' });
    const batch = harness.alerts(400);
    await first.url();
    const producing = (async () => {
      for (let i = 0; i < batch.length; i += 20) await harness.produce(batch.slice(i, i + 20));
    })();
    await harness.waitForIds([], 1000).catch(() => undefined);
    await waitForStoredCount(harness, 100);
    first.kill('SIGKILL');
    await first.exitCode();
    await producing;
    const second = harness.start();
    try {
      await harness.waitForIds(
        batch.map((alert) => alert.alert_id),
        60000,
      );
      const writes = await harness.writes();
      const counts = new Map<string, number>();
      for (const id of writes.flatMap((w) => w.ids)) counts.set(id, (counts.get(id) ?? 0) + 1);
      const duplicated = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
      // Every duplicate was written by the killed process in its last, uncommitted cycles only:
      // at most one cycle per partition consumed concurrently (3).
      const cyclesWithDuplicates = new Set(
        writes
          .filter((w) => w.pid === first.pid && w.ids.some((id) => duplicated.includes(id)))
          .map((w) => w.cycle),
      );
      expect(cyclesWithDuplicates.size).toBeLessThanOrEqual(3);
      expect([...counts.values()].every((n) => n <= 2)).toBe(true);
    } finally {
      await second.stop(10000);
    }
  });

  it('hands partitions over in a rebalance: the first instance drops them, nothing is processed twice, nothing is lost', async () => {
    const first = harness.start();
    await first.url();
    const before = harness.alerts(150);
    await harness.produce(before);
    await harness.waitForIds(before.map((alert) => alert.alert_id));
    const second = harness.start();
    try {
      await second.url();
      await waitForStatus(await second.url(), 200);
      const after = harness.alerts(300);
      for (let i = 0; i < after.length; i += 30) await harness.produce(after.slice(i, i + 30));
      await harness.waitForIds(after.map((alert) => alert.alert_id));
      const writes = await harness.writes();
      const ids = writes.flatMap((w) => w.ids);
      expect(new Set(ids).size).toBe(ids.length);
      expect(writes.some((w) => w.pid === second.pid)).toBe(true);
      // The partitions that moved were dropped from the first instance's state (the
      // revocation callback fires in production, not only in a unit spec).
      expect(
        await metricValue(await first.url(), 'agentmon_stage_revoked_partitions_total'),
      ).toBeGreaterThan(0);
    } finally {
      await Promise.all([first.stop(10000), second.stop(10000)]);
    }
  });
});

describe('stage runtime across a rejoin', () => {
  // Its own group and sink: this probe commits nothing, which would replay into other tests.
  const harness = new StageHarness();
  beforeAll(() => harness.setUp());
  afterAll(() => harness.tearDown());

  it('after a rejoin that keeps its partitions, hands the stage nothing it already holds', async () => {
    // Commits held back, as a stateful stage's trail its state: after the rejoin Kafka resumes
    // each partition from the committed offset (here the topic's start), behind what the stage
    // holds. The stall outlasts the session, as a long domain step would.
    const stage = harness.start({
      PROBE_HOLD_COMMITS: '1',
      PROBE_STALL_MS: '9000',
      PROBE_SESSION_TIMEOUT_MS: '3000',
    });
    try {
      const url = await stage.url();
      const before = harness.alerts(60);
      await harness.produce(before);
      await harness.waitForIds(before.map((alert) => alert.alert_id));
      const stall = harness.alerts(1, () => ({ message: 'stall the event loop' }));
      await harness.produce(stall);
      await waitFor(
        'the stalled member to rejoin its group',
        async () =>
          (await metricValue(url, 'agentmon_stage_group_joins_total')) >= 2 ? true : undefined,
        { timeoutMs: 60000, intervalMs: 200 },
      );
      const after = harness.alerts(20);
      await harness.produce(after);
      await harness.waitForIds(after.map((alert) => alert.alert_id));
      const ours = new Set([...before, ...stall, ...after].map((alert) => alert.alert_id));
      const counts = new Map<string, number>();
      for (const id of await harness.storedIds())
        if (ours.has(id)) counts.set(id, (counts.get(id) ?? 0) + 1);
      expect(counts.size).toBe(ours.size);
      expect([...counts].filter(([, n]) => n > 1)).toEqual([]);
      expect(await metricValue(url, 'agentmon_stage_held_records_total')).toBeGreaterThan(0);
      expect(await metricValue(url, 'agentmon_stage_revoked_partitions_total')).toBe(0);
    } finally {
      await stage.stop(10000);
    }
  }, 120_000);
});

async function waitForStatus(
  url: string,
  status: number,
): Promise<{ checks: Record<string, boolean> }> {
  const deadline = Date.now() + 30000;
  for (;;) {
    const response = await fetch(`${url}/readyz`);
    const body = (await response.json()) as { checks: Record<string, boolean> };
    if (response.status === status) return body;
    if (Date.now() > deadline) throw new Error(`readyz never answered ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function waitForStoredCount(harness: StageHarness, count: number): Promise<void> {
  const deadline = Date.now() + 30000;
  while ((await harness.storedIds()).length < count) {
    if (Date.now() > deadline) throw new Error(`fewer than ${count} ids stored`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

import { ALL_TOPICS, Alert, Topics } from '@agentmon/contracts';
import { createKafka, ensureTopics, TopicProducer } from '@agentmon/kafka';
import { AppProcess, waitFor } from '@agentmon/launcher';
import { makeAlert } from '@agentmon/testing';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';

export interface ProbeWrite {
  cycle: string;
  pid: number;
  ids: string[];
}

/** One isolated probe world per test: its own group, Redis list and alert ids. */
export class StageHarness {
  readonly run = randomUUID().slice(0, 8);
  readonly groupId = `probe-${this.run}`;
  readonly listKey = `probe:${this.run}`;
  readonly kafka = createKafka({
    brokers: process.env.KAFKA_BROKERS!.split(','),
    clientId: 'probe-it',
  });
  readonly redis = new Redis(process.env.REDIS_URL!);
  private producer?: TopicProducer;
  private sent = 0;

  async setUp(): Promise<void> {
    await ensureTopics(this.kafka, ALL_TOPICS, 3);
    this.producer = await TopicProducer.connect(this.kafka);
  }

  async tearDown(): Promise<void> {
    await this.producer?.disconnect();
    this.redis.disconnect();
  }

  start(env: Record<string, string> = {}): AppProcess {
    return AppProcess.script('libs/stream-runtime/src/test/probe-stage.main.ts', [], {
      PROBE_GROUP_ID: this.groupId,
      PROBE_LIST_KEY: this.listKey,
      RETRY_INITIAL_DELAY_MS: '50',
      RETRY_MAX_DELAY_MS: '400',
      LOG_LEVEL: 'info',
      ...env,
    });
  }

  /** Alerts with ids unique to this test, spread over partitions (keyed by project and metric). */
  alerts(count: number, override: (index: number) => Partial<Alert> = () => ({})): Alert[] {
    return Array.from({ length: count }, () => {
      const index = this.sent++;
      return makeAlert({
        alert_id: `${this.run}-${index}`,
        fingerprint: `fp-${this.run}-${index % 7}`,
        project_id: `p-${this.run}-${index % 7}`,
        ...override(index),
      });
    });
  }

  produce(alerts: Alert[]): Promise<void> {
    return this.producer!.publish(Topics.alerts, alerts);
  }

  async writes(): Promise<ProbeWrite[]> {
    return (await this.redis.lrange(this.listKey, 0, -1)).map((line) => JSON.parse(line));
  }

  async storedIds(): Promise<string[]> {
    return (await this.writes()).flatMap((write) => write.ids);
  }

  waitForIds(expected: readonly string[], timeoutMs = 45000): Promise<string[]> {
    return waitFor(
      `${expected.length} ids in the probe sink`,
      async () => {
        const ids = new Set(await this.storedIds());
        return expected.every((id) => ids.has(id)) ? [...ids] : undefined;
      },
      { timeoutMs, intervalMs: 200 },
    );
  }
}

export async function metricValue(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const pattern = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm');
  let total = 0;
  for (const match of text.matchAll(pattern)) total += Number(match[1]);
  return total;
}

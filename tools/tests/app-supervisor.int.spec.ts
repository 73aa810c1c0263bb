import { ClickHouseConnection, MigrationRunner } from '@agentmon/clickhouse';
import { ALL_TOPICS } from '@agentmon/contracts';
import { createKafka, ensureTopics } from '@agentmon/kafka';
import { waitFor } from '@agentmon/launcher';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { AppSupervisor, AppStatus, pipelineApps, StackStatus } from '../cli/src/app-supervisor';
import { postSmokeTrace } from '../cli/src/smoke-trace';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set by the integration global setup`);
  return value;
}

/**
 * The stack `npm start` runs, at LOG_LEVEL=warn (addresses and readiness must not come from info
 * lines), against the integration broker, Redis and ClickHouse: every app SIGKILLed in turn comes
 * back ready at the same URL, and traces sent around the sessionizer's death are stored once each.
 */
describe('npm start supervisor', () => {
  const database = `agentmon_sup_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const apiKey = `am_test_${randomUUID()}`;
  const clickhouse = ClickHouseConnection.create({ url: required('CLICKHOUSE_URL'), database });
  const stateDir = mkdtempSync(join(tmpdir(), 'agentmon-supervisor-'));
  const stateFile = join(stateDir, 'stack.json');
  const logs: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) },
  );
  const env = {
    LOG_LEVEL: 'warn',
    CLICKHOUSE_DATABASE: database,
    GATEWAY_API_KEYS: `sup:${createHash('sha256').update(apiKey).digest('hex')}`,
    SESSIONIZER_GROUP_ID: `sessionizer-sup-${randomUUID()}`,
    SESSIONIZER_ROOT_GRACE_MS: '300',
    SESSIONIZER_TICK_MS: '100',
    // A SIGKILLed member holds its partitions until the session times out.
    SESSIONIZER_SESSION_TIMEOUT_MS: '6000',
    CLICKHOUSE_FLUSH_INTERVAL_MS: '50',
    // The optional OTLP relay runs (and is SIGKILLed) too.
    OTLP_KAFKA_TOPIC: `otlp-sup-${randomUUID()}`,
  };
  const PIPELINE_APPS = pipelineApps(env);
  const supervisor = new AppSupervisor({
    env,
    logger,
    forwardLogs: false,
    restart: { initialDelayMs: 300, maxDelayMs: 2000 },
    stateFile,
    readinessPollMs: 250,
  });
  let urls: Record<string, string>;

  const appStatus = (app: string): AppStatus =>
    supervisor.status().apps.find((status) => status.app === app)!;

  async function storedOnce(traceIds: string[]): Promise<Record<string, number>> {
    const rows = await clickhouse.query<{ trace_id: string; c: string }>(
      'SELECT trace_id, count() AS c FROM {db:Identifier}.trace_summaries FINAL WHERE has({ids:Array(String)}, trace_id) GROUP BY trace_id',
      { db: database, ids: traceIds },
    );
    return Object.fromEntries(rows.map((row) => [row.trace_id, Number(row.c)]));
  }

  async function waitStored(traceIds: string[]): Promise<void> {
    const counts = await waitFor(
      `${traceIds.length} traces in ClickHouse`,
      async () => {
        const found = await storedOnce(traceIds);
        return Object.keys(found).length === traceIds.length ? found : undefined;
      },
      { timeoutMs: 60000, intervalMs: 250 },
    );
    expect(Object.values(counts).every((count) => count === 1)).toBe(true);
  }

  const postTraces = (count: number) =>
    Promise.all(Array.from({ length: count }, () => postSmokeTrace(urls.gateway, apiKey)));

  beforeAll(async () => {
    await new MigrationRunner(clickhouse, { retentionDays: 30 }).run();
    const kafka = createKafka({
      brokers: required('KAFKA_BROKERS').split(','),
      clientId: 'sup-it',
    });
    await ensureTopics(kafka, ALL_TOPICS, 3);
    urls = await supervisor.startAll(0);
    await supervisor.waitReady(60000);
  }, 120000);

  afterAll(async () => {
    await supervisor.stopAll(15000);
    await clickhouse.command('DROP DATABASE IF EXISTS {db:Identifier}', { db: database });
    await clickhouse.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('restarts each SIGKILLed app with backoff, at the same URL, ready again, nothing lost', async () => {
    const before = await postTraces(3);
    await waitStored(before);
    const sent = [...before];
    // The sessionizer first, alone: traces in flight when it dies and sent while it is down.
    // Then every other app at once (each is supervised on its own; killing them together only
    // saves the suite the wait for each to come back in turn).
    const rounds = [
      ['sessionizer'],
      PIPELINE_APPS.map(({ app }) => app).filter((app) => app !== 'sessionizer'),
    ];
    for (const round of rounds) {
      const victims = round.map((app) => appStatus(app));
      for (const victim of victims) expect(victim).toMatchObject({ ready: true, restarts: 0 });
      if (round.includes('sessionizer')) sent.push(...(await postTraces(3)));
      for (const victim of victims) process.kill(victim.pid!, 'SIGKILL');
      if (round.includes('sessionizer')) sent.push(...(await postTraces(3)));
      await Promise.all(
        victims.map(async (victim) => {
          const app = victim.app;
          const back = await waitFor(
            `${app} restarted and ready`,
            async () => {
              const now = appStatus(app);
              return now.restarts === 1 && now.ready && now.pid !== victim.pid ? now : undefined;
            },
            { timeoutMs: 60000, intervalMs: 100 },
          );
          expect(back.url).toBe(victim.url);
          expect(back.lastExit).toMatchObject({ code: null, signal: 'SIGKILL' });
          // Readiness is a moment, not a state: a restarted consumer may rejoin its group (503)
          // right after the supervisor first saw it ready. Ready again at its URL is what counts.
          await waitFor(
            `${app} /readyz 200 at its old URL`,
            async () => (await fetch(`${back.url}/readyz`)).status === 200 || undefined,
            { timeoutMs: 30000, intervalMs: 200 },
          );
          expect(logs).toContainEqual(
            expect.objectContaining({ app, msg: 'app exited unexpectedly; restarting' }),
          );
        }),
      );
    }
    await waitFor('the stack ready again', async () => supervisor.status().ready || undefined, {
      timeoutMs: 30000,
    });
    sent.push(...(await postTraces(3)));
    await waitStored(sent);

    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as StackStatus;
    expect(state.ready).toBe(true);
    expect(state.apps.map((a) => [a.app, a.restarts, a.ready])).toEqual(
      PIPELINE_APPS.map(({ app }) => [app, 1, true]),
    );
    for (const { app } of PIPELINE_APPS)
      expect(state.apps.find((a) => a.app === app)?.pid).toBe(appStatus(app).pid);
  }, 240000);

  it('does not restart anything once stopping', async () => {
    await supervisor.stopAll(15000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const status = supervisor.status();
    expect(status.apps.every((app) => app.state === 'stopped' && app.restarts === 1)).toBe(true);
    expect(status.ready).toBe(false);
    for (const app of status.apps) expect(() => process.kill(app.pid!, 0)).toThrow();
  }, 60000);
});

import type { MetricName } from '@agentmon/contracts';
import { AppProcess } from '@agentmon/launcher';
import { dueDigest } from '@agentmon/notifier-domain';
import { decisionRow } from '../sinks/notifier-rows';
import { NotifierHarness, waitFor } from './notifier-harness';
import { ok, SlackStub } from './slack-stub';

/** Crashes, several instances, silences through the CLI and the daily digest. */
describe('notifier across crashes and instances (integration)', () => {
  const h = new NotifierHarness();
  const slack = new SlackStub();
  let webhook: string;

  beforeAll(async () => {
    await h.setUp();
    webhook = await slack.start();
  });
  afterAll(async () => {
    await h.tearDown();
    await slack.stop();
  });
  beforeEach(() => {
    slack.reply = () => ok;
  });
  afterEach(() => h.stopAll());

  const metrics: MetricName[] = ['completion_rate', 'error_rate', 'latency_p99_ms', 'cost_avg_usd'];

  it('SIGKILL between the POST and its recording: that one message is sent twice, every other once', async () => {
    const env = { SLACK_WEBHOOK_URL: webhook, NOTIFIER_DELIVERY_CONCURRENCY: '1' };
    let app = await h.startReady(env);
    const p = h.project();
    let killed = false;
    slack.reply = (post) => {
      if (!killed && post.raw.includes(p)) {
        killed = true;
        app.kill('SIGKILL'); // Slack has the message; the notifier never learns it was accepted.
      }
      return ok;
    };
    const alerts = metrics.map((metric) => h.alert(p, { metric }));
    await h.produce(alerts);
    await waitFor('the kill', async () => killed && !app.running);
    const inFlight = slack.postsFor(p)[0].raw;

    app = await h.startReady(env);
    const ids = alerts.map((a) => a.alert_id);
    await waitFor(
      'all delivered after the restart',
      async () =>
        Object.values(await h.deliveryStatus(ids)).filter((s) => s === 'slack').length ===
        ids.length,
      { timeoutMs: 60_000 },
    );
    const posts = slack.postsFor(p);
    // The message in flight at the kill is delivered again after its lease (the documented
    // at-most-one duplicate); the others exactly once.
    expect(posts.filter((post) => post.raw === inFlight)).toHaveLength(2);
    for (const alert of alerts) {
      const carrying = posts.filter((post) => post.raw.includes(alert.alert_id));
      expect(carrying).toHaveLength(inFlight.includes(alert.alert_id) ? 2 : 1);
    }
    expect(posts).toHaveLength(alerts.length + 1);
    await app.stop(10_000);
  }, 120_000);

  it('two instances that both see every alert (separate consumer groups, one Redis): each alert sent once', async () => {
    const p = h.project();
    const [a, b] = await Promise.all([
      h.startReady({ SLACK_WEBHOOK_URL: webhook, NOTIFIER_GROUP_ID: `${h.groupId}-a-${p}` }),
      h.startReady({ SLACK_WEBHOOK_URL: webhook, NOTIFIER_GROUP_ID: `${h.groupId}-b-${p}` }),
    ]);
    const alerts = metrics.map((metric) => h.alert(p, { metric }));
    await h.produce(alerts);
    const decidedBy = (app: AppProcess, id: string) =>
      app.lines.some(
        (l) => l.msg === 'alert decision' && l.alert_id === id && l.decision !== 'grouped',
      );
    await waitFor(
      'both instances decided every alert',
      async () => alerts.every((al) => decidedBy(a, al.alert_id) && decidedBy(b, al.alert_id)),
      { timeoutMs: 60_000 },
    );
    const ids = alerts.map((al) => al.alert_id);
    await waitFor(
      'delivered',
      async () =>
        Object.values(await h.deliveryStatus(ids)).filter((s) => s === 'slack').length ===
        ids.length,
    );
    for (const alert of alerts) {
      expect(slack.postsFor(p).filter((post) => post.raw.includes(alert.alert_id))).toHaveLength(1);
    }
    await Promise.all([a.stop(10_000), b.stop(10_000)]);
  });

  async function cli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
    const proc = AppProcess.script('tools/cli/src/main.ts', args, {
      NOTIFIER_REDIS_PREFIX: h.redisPrefix,
    });
    const code = await proc.exitCode();
    return {
      code,
      out: proc.lines
        .map((l) => (typeof l.raw === 'string' ? l.raw : JSON.stringify(l)))
        .join('\n'),
      err: proc.stderr.join(''),
    };
  }

  it('silences from the CLI: the running notifier records matching alerts as silenced and sends the rest; expire ends it', async () => {
    const app = await h.startReady({ SLACK_WEBHOOK_URL: webhook });
    const url = await app.url();
    const p = h.project();

    const bad = await cli(['silence', 'add', '--metric', 'nope', '--for', '2h', '--reason', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/matchers\.metric/);

    const added = await cli([
      'silence',
      'add',
      '--metric',
      'error_rate',
      '--project',
      p,
      '--for',
      '2h',
      '--reason',
      'INC-7 known',
    ]);
    expect(added.code).toBe(0);
    const id = /silence (sil-[a-z0-9-]+) active until/.exec(added.out)?.[1];
    expect(id).toBeDefined();
    const listed = await cli(['silence', 'list', '--json']);
    expect(JSON.parse(listed.out)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id, status: 'active', metric: 'error_rate', project: p }),
      ]),
    );

    await waitFor('the notifier applies the silence', async () =>
      /agentmon_notifier_active_silences(\{[^}]*\})? 1\b/.test(
        await (await fetch(`${url}/metrics`)).text(),
      ),
    );
    const muted = h.alert(p, { metric: 'error_rate', current_value: 0.4, baseline: 0.05 });
    const sent = h.alert(p, { metric: 'completion_rate' });
    await h.produce([muted, sent]);
    await waitFor('sent', async () => slack.postsFor(p).length === 1);
    await waitFor('silenced recorded', async () =>
      (await h.decisions(p)).some((d) => d.alert_id === muted.alert_id && d.reason === 'silenced'),
    );
    expect(slack.postsFor(p)[0].raw).not.toContain(muted.alert_id);
    expect(
      app.lines.find((l) => l.alert_id === muted.alert_id && l.decision === 'silenced'),
    ).toMatchObject({
      silence_id: id,
    });

    const expired = await cli(['silence', 'expire', id!]);
    expect(expired.code).toBe(0);
    expect((await cli(['silence', 'expire', 'sil-missing'])).code).toBe(3);
    expect(JSON.parse((await cli(['silence', 'list', '--json'])).out)).toEqual([]);
    expect(JSON.parse((await cli(['silence', 'list', '--json', '--all'])).out)).toEqual([
      expect.objectContaining({ id, status: 'expired' }),
    ]);
    await waitFor('the notifier drops the silence', async () =>
      /agentmon_notifier_active_silences(\{[^}]*\})? 0\b/.test(
        await (await fetch(`${url}/metrics`)).text(),
      ),
    );
    const afterExpiry = h.alert(p, { metric: 'error_rate', current_value: 0.5, baseline: 0.05 });
    await h.produce([afterExpiry]);
    await waitFor('sent after expiry', async () =>
      slack.postsFor(p).some((post) => post.raw.includes(afterExpiry.alert_id)),
    );
    await app.stop(10_000);
  });

  it('the daily digest goes out once across two instances and a restart', async () => {
    const hour = new Date().getUTCHours();
    const due = dueDigest(Date.now(), null, hour)!;
    const p = h.project();
    const at = due.from + 3_600_000;
    const info = h.alert(p, {
      severity: 'info',
      metric: 'cost_avg_usd',
      current_value: 0.4,
      baseline: 0.2,
    });
    const crit = h.alert(p, {
      slice: { dimension: 'platform', value: 'mobile' },
      current_value: 0.5,
      baseline: 0.9,
    });
    const muted = h.alert(p, { metric: 'error_rate' });
    await h.clickhouse.insert('notifier_decisions', [
      decisionRow({ reason: 'digest', alert: info, at }),
      decisionRow({ reason: 'sent', alert: crit, at, notification_id: 'ntf-x' }),
      decisionRow({ reason: 'silenced', alert: muted, at, silence_id: 'sil-x' }),
    ]);
    const env = { SLACK_WEBHOOK_URL: webhook, NOTIFIER_DIGEST_HOUR_UTC: String(hour) };
    const [a, b] = await Promise.all([
      h.startReady({ ...env, NOTIFIER_GROUP_ID: `${h.groupId}-d1` }),
      h.startReady({ ...env, NOTIFIER_GROUP_ID: `${h.groupId}-d2` }),
    ]);
    const checked = (app: AppProcess) =>
      app.lines.some((l) => l.msg === 'daily digest checked' && l.day === due.day);
    await waitFor('both checked', async () => checked(a) && checked(b));
    await waitFor('digest delivered', async () => slack.postsFor(p).length === 1);
    const digest = slack.postsFor(p)[0];
    expect(digest.body.text).toContain(`Daily digest ${due.day}`);
    expect(digest.raw).toContain('`cost_avg_usd` all'); // the info alert
    expect(digest.raw).toMatch(/1 sent · 1 silenced/);
    await a.stop(10_000);
    const c = await h.startReady({ ...env, NOTIFIER_GROUP_ID: `${h.groupId}-d1` });
    await waitFor('restarted instance checked', async () => checked(c));
    expect(c.lines.find((l) => l.msg === 'daily digest checked')).toMatchObject({ queued: 0 });
    expect(slack.postsFor(p)).toHaveLength(1);
    await Promise.all([b.stop(10_000), c.stop(10_000)]);
  });
});

import { NotifierHarness, waitFor } from './notifier-harness';
import { hang, ok, SECRET_PATH, SlackStub, status } from './slack-stub';

/**
 * The notifier as a process against the real broker, Redis and ClickHouse, with a local HTTP
 * server standing in for Slack.
 */
describe('notifier delivery (integration)', () => {
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

  it('groups the slices of one metric into one Block Kit message, records it, and respects the cooldown', async () => {
    const app = await h.startReady({ SLACK_WEBHOOK_URL: webhook });
    const p = h.project();
    const overall = h.alert(p, { current_value: 0.62, baseline: 0.9, threshold: 0.8 });
    const debugging = h.alert(p, {
      slice: { dimension: 'task_type', value: 'code_debugging' },
      current_value: 0.6,
      baseline: 0.85,
    });
    const mobile = h.alert(p, {
      severity: 'warning',
      slice: { dimension: 'platform', value: 'mobile' },
      current_value: 0.7,
      baseline: 0.82,
    });
    await h.produce([overall, debugging, mobile]);

    const [post] = await waitFor(
      'one message',
      async () => slack.postsFor(p).length > 0 && slack.postsFor(p),
    );
    expect(post.body.channel).toBe('#agent-alerts');
    expect(post.body.text).toContain('completion_rate critical overall');
    expect(post.body.text).toMatch(/worst slices: task_type=code_debugging .*platform=mobile/);
    expect(post.body.blocks[0].type).toBe('header');
    const all = JSON.stringify(post.body.blocks);
    for (const alert of [overall, debugging, mobile]) expect(all).toContain(alert.alert_id);
    expect(all).toContain('npx agentmon');

    await waitFor('delivery recorded', async () => {
      const s = await h.deliveryStatus([overall.alert_id, debugging.alert_id, mobile.alert_id]);
      return Object.values(s).filter((v) => v === 'slack').length === 3;
    });
    // Delivery state and attempts are separate inserts: wait for the attempt row too.
    const attempts = await waitFor('attempt recorded', async () => {
      const rows = await h.attempts(p);
      return rows.some((r) => r.outcome === 'ok') && rows;
    });
    expect(attempts.map((a) => [a.round, a.attempt, a.http_status, a.outcome])).toEqual([
      [0, 1, 200, 'ok'],
    ]);

    // The same series again within the cooldown: decided, recorded, not sent.
    const again = h.alert(p, { current_value: 0.6, baseline: 0.9 });
    await h.produce([again]);
    await waitFor('cooldown decision', async () =>
      (await h.decisions(p)).some((d) => d.alert_id === again.alert_id && d.reason === 'cooldown'),
    );
    expect(slack.postsFor(p)).toHaveLength(1);
    expect(JSON.stringify(app.lines)).not.toContain(SECRET_PATH);
    await app.stop(10_000);
  });

  it('429 with Retry-After: waits it out, then delivers; both attempts recorded', async () => {
    const app = await h.startReady({ SLACK_WEBHOOK_URL: webhook });
    const p = h.project();
    let calls = 0;
    slack.reply = (post) =>
      post.raw.includes(p) && ++calls === 1
        ? status(429, 'rate_limited', { 'retry-after': '1' })
        : ok;
    const alert = h.alert(p);
    await h.produce([alert]);
    await waitFor(
      'delivered',
      async () => (await h.deliveryStatus([alert.alert_id]))[alert.alert_id] === 'slack',
    );
    const posts = slack.postsFor(p);
    expect(posts).toHaveLength(2);
    expect(posts[1].at - posts[0].at).toBeGreaterThanOrEqual(1000); // Retry-After honoured (an order, not a speed)
    const attempts = await waitFor('attempts recorded', async () => {
      const rows = await h.attempts(p);
      return rows.some((r) => r.outcome === 'ok') && rows;
    });
    expect(attempts.map((a) => [a.attempt, a.http_status, a.outcome])).toEqual([
      [1, 429, 'retryable'],
      [2, 200, 'ok'],
    ]);
    await app.stop(10_000);
  });

  it('500s past NOTIFIER_MAX_ATTEMPTS: parked, retried in a later round, delivered', async () => {
    const app = await h.startReady({ SLACK_WEBHOOK_URL: webhook });
    const p = h.project();
    let calls = 0;
    slack.reply = (post) =>
      post.raw.includes(p) && ++calls <= 4 ? status(500, 'rollup_error') : ok;
    const alert = h.alert(p);
    await h.produce([alert]);
    await waitFor(
      'delivered',
      async () => (await h.deliveryStatus([alert.alert_id]))[alert.alert_id] === 'slack',
    );
    const attempts = await waitFor('attempts recorded', async () => {
      const rows = await h.attempts(p);
      return rows.some((r) => r.outcome === 'ok') && rows;
    });
    expect(attempts.map((a) => [a.round, a.attempt, a.http_status])).toEqual([
      [0, 1, 500],
      [0, 2, 500],
      [0, 3, 500],
      [1, 1, 500],
      [1, 2, 200],
    ]);
    expect(attempts[0].error).toBe('slack webhook answered 500: rollup_error');
    expect(app.lines.some((l) => l.msg === 'slack delivery failed; message parked')).toBe(true);
    await app.stop(10_000);
  });

  it('a timeout counts as a failed attempt and is retried', async () => {
    const app = await h.startReady({ SLACK_WEBHOOK_URL: webhook });
    const p = h.project();
    let calls = 0;
    slack.reply = (post) => (post.raw.includes(p) && ++calls === 1 ? hang : ok);
    const alert = h.alert(p);
    await h.produce([alert]);
    await waitFor(
      'delivered',
      async () => (await h.deliveryStatus([alert.alert_id]))[alert.alert_id] === 'slack',
    );
    const attempts = await waitFor('attempts recorded', async () => {
      const rows = await h.attempts(p);
      return rows.some((r) => r.outcome === 'ok') && rows;
    });
    expect(attempts.map((a) => [a.attempt, a.http_status, a.outcome, a.error])).toEqual([
      [1, 0, 'retryable', 'timeout after 500 ms'],
      [2, 200, 'ok', ''],
    ]);
    await app.stop(10_000);
  });

  it('Slack down for a long stretch: everything parked, then delivered in order per fingerprint, other projects unaffected', async () => {
    const app = await h.startReady({ SLACK_WEBHOOK_URL: webhook });
    const down = h.project();
    const fine = h.project();
    let outage = true;
    slack.reply = (post) => (outage && post.raw.includes(down) ? status(503, 'unavailable') : ok);

    // One fingerprint fires, resolves and fires again during the outage; another metric too.
    const fire1 = h.alert(down);
    const other = h.alert(down, { metric: 'error_rate', current_value: 0.3, baseline: 0.05 });
    await h.produce([fire1, other]);
    await waitFor(
      'queued',
      async () => (await h.deliveryStatus([fire1.alert_id]))[fire1.alert_id] !== undefined,
    );
    const resolve1 = h.alert(down, {
      state: 'resolved',
      fingerprint: fire1.fingerprint,
      current_value: 0.9,
    });
    await h.produce([resolve1]);
    await waitFor(
      'resolve queued',
      async () => (await h.deliveryStatus([resolve1.alert_id]))[resolve1.alert_id] !== undefined,
    );
    const fire2 = h.alert(down, { fingerprint: fire1.fingerprint, current_value: 0.5 });
    await h.produce([fire2]);

    // Another project is delivered while the first one's queue is parked.
    const unaffected = h.alert(fine);
    await h.produce([unaffected]);
    await waitFor('other project delivered', async () => slack.postsFor(fine).length === 1);

    // Several parked rounds pass (the simulated outage), then Slack comes back.
    await waitFor(
      'parked rounds',
      async () =>
        app.lines.filter(
          (l) => l.msg === 'slack delivery failed; message parked' && Number(l.rounds) >= 3,
        ).length > 0,
      { timeoutMs: 60_000 },
    );
    expect((await h.deliveryStatus([fire1.alert_id]))[fire1.alert_id]).toBe('parked');
    outage = false;

    const ids = [fire1, other, resolve1, fire2].map((a) => a.alert_id);
    await waitFor(
      'all delivered',
      async () => {
        const s = await h.deliveryStatus(ids);
        return ids.every((id) => s[id] === 'slack');
      },
      { timeoutMs: 60_000 },
    );
    // Each message delivered once, and one fingerprint's changes in the order they happened.
    const delivered = slack.deliveredFor(down);
    expect(delivered).toHaveLength(4); // completion_rate: fire, resolve, fire again; error_rate: one
    const positions = [fire1, resolve1, fire2].map((a) =>
      delivered.findIndex((p) => p.raw.includes(a.alert_id)),
    );
    expect(positions.every((i) => i >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((x, y) => x - y));
    await app.stop(10_000);
  });

  it('without SLACK_WEBHOOK_URL each message is logged and recorded as delivered: log', async () => {
    const app = await h.startReady({ SLACK_WEBHOOK_URL: '' });
    const p = h.project();
    const alert = h.alert(p);
    await h.produce([alert]);
    await waitFor(
      'logged',
      async () => (await h.deliveryStatus([alert.alert_id]))[alert.alert_id] === 'log',
    );
    const line = app.lines.find(
      (l) =>
        String(l.msg).startsWith('slack message') && JSON.stringify(l).includes(alert.alert_id),
    );
    expect(line).toMatchObject({ channel: '#agent-alerts' });
    expect(slack.postsFor(p)).toHaveLength(0);
    await app.stop(10_000);
  });
});

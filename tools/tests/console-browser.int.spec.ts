import { waitFor } from '@agentmon/launcher';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { generateTraffic, REGRESSED_TASK_TYPE } from '../cli/src/simulate/scenarios';
import { sendTraffic } from '../cli/src/simulate/send-traffic';
import { startPipelineStack, type PipelineStack } from './pipeline-stack';

const WINDOW_MS = 10_000;
const WINDOWS = 12;
/** 8 healthy windows (5 warm the charts up), then 4 where bug_fix completion drops 0.9 → 0.6. */
const INCIDENT_AT = 8 / WINDOWS;
/** 300 traces a window: bug_fix (1/8) gets 37, over DETECTOR_MIN_SAMPLES (30). */
const RATE = 300 / (WINDOW_MS / 1000);
/**
 * The README's screenshots are refreshed on purpose (`UPDATE_SCREENSHOTS=1`); a normal run
 * writes them to a temp dir, so testing leaves the checkout as it was.
 */
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS
  ? join(__dirname, '..', '..', 'docs', 'screenshots')
  : mkdtempSync(join(tmpdir(), 'agentmon-console-shots-'));
/** Debian's chromium (tools/scripts/setup.sh installs it); playwright-core brings no browser. */
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

/**
 * The console in a real browser after the completion-regression scenario went through the whole
 * pipeline: every page loads without a console error, the regressed slice's control chart
 * carries the detector's alert marker, a trace's waterfall has one row per stored span, and a
 * review verdict is stored and leads the export. Every page is screenshotted (see SCREENSHOTS).
 */
describe('console in headless chromium after a completion regression', () => {
  const token = `amc_it_${randomUUID()}`;
  let stack: PipelineStack;
  let browser: Browser;
  let consoleUrl: string;

  beforeAll(async () => {
    if (CHROMIUM === undefined) throw new Error('chromium is not installed: run npm run setup');
    stack = await startPipelineStack({
      prefix: 'browser',
      windowMs: WINDOW_MS,
      consoleToken: token,
    });
    consoleUrl = stack.urls.console!;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      // Root in CI containers: chromium's sandbox needs user namespaces it may not have.
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    if (!process.env.UPDATE_SCREENSHOTS) rmSync(SCREENSHOTS, { recursive: true, force: true });
  }, 60_000);

  /** Opens a page, failing on any console error or uncaught script error it produced. */
  async function open(page: Page, path: string, shot: string): Promise<void> {
    const errors: string[] = [];
    const onConsole = (msg: { type(): string; text(): string }) => {
      if (msg.type() === 'error') errors.push(msg.text());
    };
    const onError = (error: Error) => errors.push(error.message);
    page.on('console', onConsole);
    page.on('pageerror', onError);
    const response = await page.goto(`${consoleUrl}${path}`, { waitUntil: 'load' });
    expect({ path, status: response?.status() }).toEqual({ path, status: 200 });
    const charts = await page.locator('.chart, .spark').count();
    if (charts > 0) await page.waitForSelector('[data-drawn="uplot"]', { timeout: 10_000 });
    await page.screenshot({ path: join(SCREENSHOTS, `${shot}.png`), fullPage: true });
    page.off('console', onConsole);
    page.off('pageerror', onError);
    expect({ path, errors }).toEqual({ path, errors: [] });
  }

  it('shows every page, the alert marker on the regressed slice and the span waterfall', async () => {
    const now = Date.now();
    const traffic = {
      scenario: 'completion-regression' as const,
      startMs: Math.floor(now / WINDOW_MS) * WINDOW_MS - WINDOWS * WINDOW_MS,
      durationMs: WINDOWS * WINDOW_MS,
      rate: RATE,
      incidentAt: INCIDENT_AT,
      seed: 5,
      runId: stack.id.slice(0, 6),
    };
    const result = await sendTraffic(generateTraffic(traffic), {
      gatewayUrl: stack.urls.gateway!,
      apiKey: stack.apiKey,
      live: false,
    });
    expect(result).toMatchObject({ dropped: 0, rejected: 0 });

    // The detector's critical page on the regressed slice, as stored for the console to read.
    await waitFor(
      'the regression alert',
      async () => {
        const [row] = await stack.query<{ c: string }>(
          `SELECT count() AS c FROM {db:Identifier}.alerts FINAL
           WHERE project_id = {project:String} AND metric = 'completion_rate'
             AND slice_dimension = 'task_type' AND slice_value = {slice:String}
             AND state = 'firing' AND severity = 'critical'`,
          { slice: REGRESSED_TASK_TYPE },
        );
        return Number(row.c) > 0 ? true : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    // A failed trace of the regressed slice with its kept spans.
    const [kept] = await stack.query<{ trace_id: string; spans: string }>(
      `SELECT trace_id, toString(count()) AS spans FROM {db:Identifier}.spans FINAL
       WHERE project_id = {project:String} AND trace_id IN (
         SELECT trace_id FROM {db:Identifier}.trace_summaries FINAL
         WHERE project_id = {project:String} AND task_type = {slice:String} AND completed = 0)
       GROUP BY trace_id ORDER BY trace_id LIMIT 1`,
      { slice: REGRESSED_TASK_TYPE },
    );
    expect(kept).toBeDefined();

    mkdirSync(SCREENSHOTS, { recursive: true });
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await context.newPage();
    // Sign in through the form: the HttpOnly cookie carries the token from here on.
    await page.goto(`${consoleUrl}/login`);
    await page.screenshot({ path: join(SCREENSHOTS, 'login.png') });
    await page.fill('input[name="token"]', token);
    await Promise.all([page.waitForURL(`${consoleUrl}/`), page.click('button')]);

    await open(page, '/', 'overview');
    await open(page, '/slices?since=10m', 'slices');
    const chartPath = `/chart?metric=completion_rate&slice=${encodeURIComponent(`task_type=${REGRESSED_TASK_TYPE}`)}&since=10m`;
    await open(page, chartPath, 'control-chart');
    const markers = Number(await page.getAttribute('#control-chart', 'data-alert-markers'));
    expect(markers).toBeGreaterThan(0);
    expect(await page.locator('#control-chart canvas').count()).toBeGreaterThan(0);
    expect(await page.locator('.chart-alerts tbody tr').first().innerText()).toContain('firing');

    await open(page, '/alerts?since=1h', 'alerts');
    expect(await page.locator('.alert-log').innerText()).toContain(
      `task_type=${REGRESSED_TASK_TYPE}`,
    );
    await open(page, `/traces?since=1h&task_type=${REGRESSED_TASK_TYPE}&outcome=failure`, 'traces');
    expect(await page.locator('.trace-list tbody tr').count()).toBeGreaterThan(0);

    await open(page, `/traces/${encodeURIComponent(kept.trace_id)}`, 'trace');
    expect(await page.locator('.waterfall .span-row').count()).toBe(Number(kept.spans));
    expect(await page.getAttribute('.waterfall', 'data-span-count')).toBe(kept.spans);

    await open(page, '/review', 'review');
    const first = page.locator('.review-list tbody tr').first();
    const reviewed = (await first.locator('td').first().innerText()).trim();
    await first.locator('button[value="add_to_eval_set"]').click();
    // The form posts, the console stores the verdict and redirects back to the review page.
    await page
      .locator('.review-list tbody tr')
      .first()
      .locator('button.chosen[value="add_to_eval_set"]')
      .waitFor({ timeout: 10_000 });
    await open(page, '/export', 'export');
    const download = await page.request.get(`${consoleUrl}/export.jsonl?since=1h&limit=5`);
    expect(download.status()).toBe(200);
    const [line] = (await download.text()).split('\n');
    expect(JSON.parse(line!)).toMatchObject({ kind: 'reviewed', summary: { trace_id: reviewed } });
    await context.close();
  }, 240_000);
});

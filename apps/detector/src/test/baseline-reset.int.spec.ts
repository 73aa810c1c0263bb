import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { DetectorHarness, MINUTE, overallWindow } from './detector-harness';

const ROOT = join(__dirname, '..', '..', '..', '..');

function agentmon(harness: DetectorHarness, args: string[]): string {
  return execFileSync(
    process.execPath,
    ['-r', join(ROOT, 'tools/register.js'), join(ROOT, 'tools/cli/src/main.ts'), ...args],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, CLICKHOUSE_DATABASE: harness.database, LOG_LEVEL: 'warn' },
    },
  );
}

describe('agentmon baseline reset with the detector running', () => {
  const harness = new DetectorHarness();

  beforeAll(() => harness.setUp());
  afterAll(() => harness.tearDown());

  it('takes effect from the next window, resolves what fired, and shows in agentmon alerts', async () => {
    const project = `p-${randomUUID().slice(0, 12)}`;
    // Windows in the past, so "the next window" after the reset is one starting after now.
    const t0 = Date.now() - 30 * MINUTE;
    const detector = harness.startDetector();
    try {
      await detector.url();
      // Warm-up at 0.9, then a new prompt lowers completion to 0.7 for good: critical.
      await harness.produceWindows(
        Array.from({ length: 12 }, (_, i) => overallWindow(project, t0, i, i < 5 ? 0.9 : 0.7)),
      );
      await harness.waitFor('the critical completion alert', async () =>
        (await harness.alertRows(project)).length > 0 ? true : undefined,
      );
      const out = agentmon(harness, [
        'baseline',
        'reset',
        '--project',
        project,
        '--metric',
        'completion_rate',
        '--reason',
        'new prompt v7 shipped on purpose',
        '--by',
        'alice',
      ]);
      expect(out).toContain(`project ${project}, metric completion_rate`);
      expect(out).toContain('takes effect from the next window');
      // The next windows start after the reset: the chart warms up again at the new level.
      const later = Date.now() + MINUTE;
      await harness.produceWindows(
        Array.from({ length: 8 }, (_, i) => overallWindow(project, later, i, 0.7)),
      );
      const resolved = await harness.waitFor('completion_rate resolved by the reset', async () => {
        const rows = await harness.clickhouse.query<{ message: string }>(
          "SELECT message FROM {db:Identifier}.alerts FINAL WHERE project_id = {p:String} AND metric = 'completion_rate' AND state = 'resolved'",
          { db: harness.database, p: project },
        );
        return rows.length > 0 ? rows : undefined;
      });
      expect(resolved[0].message).toContain('baseline reset');
      const log = agentmon(harness, [
        'alerts',
        '--project',
        project,
        '--since',
        '2h',
        '--format',
        'json',
      ])
        .trim()
        .split('\n')
        .map(
          (l) => JSON.parse(l) as { kind: string; message: string; state: string; metric: string },
        );
      expect(log).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            kind: 'baseline_reset',
            metric: 'completion_rate',
            message: 'by alice: new prompt v7 shipped on purpose',
          }),
          expect.objectContaining({ kind: 'alert', metric: 'completion_rate', state: 'resolved' }),
          expect.objectContaining({ kind: 'alert', metric: 'completion_rate', state: 'firing' }),
        ]),
      );
      // No completion alert fires again at the new level after the reset.
      const firingAfter = await harness.clickhouse.query<{ c: string }>(
        "SELECT count() AS c FROM {db:Identifier}.alerts FINAL WHERE project_id = {p:String} AND metric = 'completion_rate' AND state = 'firing' AND occurred_at_ms > {t:UInt64}",
        { db: harness.database, p: project, t: later },
      );
      expect(Number(firingAfter[0].c)).toBe(0);
    } finally {
      expect(await detector.stop(15000)).toBe(0);
    }
  });
});

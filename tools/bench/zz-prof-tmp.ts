import { ClickHouseConnection, MigrationRunner } from '@agentmon/clickhouse';
import { AnalyticsQueries, ConsoleQueries } from '@agentmon/analytics-queries';
import { loadDay } from './console.bench';
(async () => {
  const c = ClickHouseConnection.create({ url: 'http://127.0.0.1:41885', database: 'prof1' });
  const H = 3600000;
  const dayEnd = Math.floor(Date.now() / H) * H;
  const [{ c: n }] = await (async () => { try { return await c.query<{ c: string }>('SELECT toString(count()) AS c FROM prof1.trace_summaries', {}); } catch { return [{ c: '0' }]; } })();
  if (n === '0') { await new MigrationRunner(c, { retentionDays: 90 }).run(); await loadDay(c, dayEnd - 86400000); }
  const a = new AnalyticsQueries(c, { baseWindowS: 60 });
  const q = new ConsoleQueries(c, { baseWindowS: 60 });
  const now = Date.now();
  const t = async (label: string, f: () => Promise<unknown>) => { const s = Date.now(); await f(); console.log(label, Date.now() - s, 'ms'); };
  const rows = await c.query<{ l: string; n: string }>(`SELECT toString(avg(length(partial_json))) AS l, toString(count()) AS n FROM prof1.metric_windows WHERE partial_json != ''`, {});
  console.log('partial_json avg bytes', rows);
  for (let i = 0; i < 2; i++) {
    await t('summary 1h overall', () => a.periodSummary({ project: 'bench-console' }, { from: Math.floor((now - H) / 60000) * 60000, to: Math.ceil(now / 60000) * 60000 }, { overallOnly: true }));
    await t('summary 24h aligned', () => a.periodSummary({ project: 'bench-console' }, { from: dayEnd - 86400000, to: dayEnd }));
    await t('summary 24h', () => a.periodSummary({ project: 'bench-console' }, { from: Math.floor((now - 86400000) / 60000) * 60000, to: Math.ceil(now / 60000) * 60000 }));
    await t('raw partial fetch 24h', () => c.query(`SELECT partial_json FROM prof1.metric_windows FINAL WHERE project_id = 'bench-console' AND slice_dimension = 'all' AND window_size_s = 3600`, {}));
    await t('overall series', () => q.overallSeries('bench-console', { from: now - 7200000, to: now }));
    await t('open alerts', () => a.openAlerts({ project: 'bench-console' }, 20));
    await t('traces search', () => q.searchTraces({ project: 'bench-console', from: now - 3600000 - 3600000, to: now - 3600000, outcome: 'any', limit: 50 }));
    await t('review pick', () => a.reviewPick({ project: 'bench-console' }, { from: now - 7 * 86400000, to: now }, 15));
  }
  await c.close();
})();

import { randomUUID } from 'node:crypto';
import {
  isPermanentClickHouseError,
  ClickHouseConnection,
  ClickHouseTables,
  MigrationRunner,
  readMigrations,
} from './index';

function connect(database: string): ClickHouseConnection {
  const url = process.env.CLICKHOUSE_URL;
  if (!url)
    throw new Error(
      'CLICKHOUSE_URL is not set: the integration global setup should have started ClickHouse',
    );
  return ClickHouseConnection.create({ url, database });
}

const summaryRow = (traceId: string, revision: number, completed: number) => ({
  project_id: 'p1',
  trace_id: traceId,
  revision,
  session_id: 's',
  user_id: 'u',
  started_at_ms: 1764000000000,
  ended_at_ms: 1764000005000,
  duration_ms: 5000,
  task_type: 'coding',
  completed,
  flags: [],
});

describe('ClickHouse migrations and writer (real server)', () => {
  const database = `agentmon_it_${randomUUID().replace(/-/g, '')}`;
  const connection = connect(database);

  afterAll(async () => {
    await connection.command('DROP DATABASE IF EXISTS {db:Identifier}', { db: database });
    await connection.close();
  });

  it('applies every migration once, even when several processes start together', async () => {
    const runners = [0, 1, 2, 3].map(
      () => new MigrationRunner(connect(database), { retentionDays: 30 }),
    );
    const reports = await Promise.all(runners.map((runner) => runner.run()));
    const appliedEverywhere = reports.flatMap((report) => report.applied).sort((a, b) => a - b);
    expect(appliedEverywhere).toEqual(readMigrations().map((m) => m.version));
    const recorded = await connection.query<{ c: string }>(
      'SELECT count() AS c FROM {db:Identifier}.schema_migrations',
      { db: database },
    );
    expect(Number(recorded[0].c)).toBe(readMigrations().length);
    const tables = await connection.query<{ name: string }>(
      'SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name',
      { db: database },
    );
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(Object.values(ClickHouseTables)),
    );
    expect(tables.map((t) => t.name)).not.toContain('schema_migrations_lock');
  });

  it('is a no-op the second time', async () => {
    const report = await new MigrationRunner(connection, { retentionDays: 30 }).run();
    expect(report.applied).toEqual([]);
    expect(report.alreadyApplied.length).toBe(readMigrations().length);
  });

  it('refuses a migration file that changed after it was applied', async () => {
    const changed = readMigrations().map((m, i) =>
      i === 0 ? { ...m, sql: `${m.sql}\n-- edited` } : m,
    );
    await expect(
      new MigrationRunner(connection, { retentionDays: 30, migrations: changed }).run(),
    ).rejects.toThrow(/changed after it was applied/);
  });

  it('collapses replayed and revised trace summaries to one row per trace', async () => {
    await connection.insert(ClickHouseTables.traceSummaries, [
      summaryRow('t1', 0, 0),
      summaryRow('t2', 0, 1),
    ]);
    await connection.insert(ClickHouseTables.traceSummaries, [
      summaryRow('t1', 0, 0), // replay
      summaryRow('t1', 1, 1), // revision
    ]);
    const rows = await connection.query<{ trace_id: string; revision: number; completed: number }>(
      'SELECT trace_id, revision, completed FROM {db:Identifier}.trace_summaries FINAL WHERE project_id = {p:String} ORDER BY trace_id',
      { db: database, p: 'p1' },
    );
    expect(rows.map((r) => [r.trace_id, Number(r.revision), Number(r.completed)])).toEqual([
      ['t1', 1, 1],
      ['t2', 0, 1],
    ]);
  });

  it('stores hostile strings verbatim through parameters and inserts', async () => {
    const hostile = "x'); DROP TABLE trace_summaries; --\\";
    await connection.insert(ClickHouseTables.traceSummaries, [
      { ...summaryRow('t3', 0, 1), final_output: hostile },
    ]);
    const rows = await connection.query<{ final_output: string }>(
      'SELECT final_output FROM {db:Identifier}.trace_summaries WHERE final_output = {v:String}',
      { db: database, v: hostile },
    );
    expect(rows).toEqual([{ final_output: hostile }]);
  });

  it.each([
    ['a lone UTF-16 surrogate', { final_output: 'a\ud800b' }],
    ['a string where a number belongs', { input_tokens: 'many' }],
  ])('classifies a row ClickHouse refuses for good (%s) as permanent', async (_name, bad) => {
    const error = await connection
      .insert(ClickHouseTables.traceSummaries, [{ ...summaryRow('t4', 0, 1), ...bad }])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeDefined();
    expect(isPermanentClickHouseError(error)).toBe(true);
  });

  it('classifies an unreachable server as transient', async () => {
    const away = ClickHouseConnection.create({ url: 'http://127.0.0.1:1', database });
    const error = await away.ping().then(
      () => undefined,
      (e: unknown) => e,
    );
    await away.close();
    expect(isPermanentClickHouseError(error)).toBe(false);
  });
});

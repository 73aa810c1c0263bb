import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClickHouseConnection } from './clickhouse-connection';
import { MigrationLock } from './migration-lock';
import { renderMigration, splitStatements } from './migration-template';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export interface MigrationReport {
  applied: number[];
  alreadyApplied: number[];
}

export const DEFAULT_MIGRATIONS_DIR = join(__dirname, '..', 'migrations');

/** `0001_trace_summaries.sql` → version 1; files must be numbered without gaps or repeats. */
export function readMigrations(dir = DEFAULT_MIGRATIONS_DIR): Migration[] {
  const migrations = readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => {
      const match = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
      if (!match) throw new Error(`migration file "${file}" must be named NNNN_name.sql`);
      return {
        version: Number(match[1]),
        name: match[2],
        sql: readFileSync(join(dir, file), 'utf8'),
      };
    });
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1)
      throw new Error(`migration ${migration.version} is out of sequence (expected ${index + 1})`);
  });
  return migrations;
}

function checksum(sql: string): string {
  return createHash('sha256').update(sql).digest('hex');
}

/**
 * Applies numbered migrations once each, recorded in `schema_migrations`. Statements are
 * idempotent (IF NOT EXISTS) so a run interrupted half-way simply re-runs; a lock serialises
 * processes that start together, and a changed file that was already applied is refused.
 */
export class MigrationRunner {
  constructor(
    private readonly connection: ClickHouseConnection,
    private readonly options: { retentionDays: number; migrations?: Migration[] },
  ) {}

  async run(): Promise<MigrationReport> {
    const db = this.connection.database;
    await this.connection.command('CREATE DATABASE IF NOT EXISTS {db:Identifier}', { db });
    const lock = new MigrationLock(this.connection);
    await lock.acquire();
    try {
      return await this.applyPending();
    } finally {
      await lock.release();
    }
  }

  private async applyPending(): Promise<MigrationReport> {
    const db = this.connection.database;
    await this.connection.command(
      'CREATE TABLE IF NOT EXISTS {db:Identifier}.schema_migrations (version UInt32, name String, checksum String, applied_at_ms UInt64) ENGINE = ReplacingMergeTree() ORDER BY version',
      { db },
    );
    const recorded = await this.connection.query<{ version: number; checksum: string }>(
      'SELECT version, any(checksum) AS checksum FROM {db:Identifier}.schema_migrations GROUP BY version',
      { db },
    );
    const done = new Map(recorded.map((row) => [Number(row.version), row.checksum]));
    const capabilities = await this.connection.capabilities();
    const report: MigrationReport = { applied: [], alreadyApplied: [] };
    for (const migration of this.options.migrations ?? readMigrations()) {
      const sum = checksum(migration.sql);
      const previous = done.get(migration.version);
      if (previous !== undefined) {
        if (previous !== sum)
          throw new Error(
            `migration ${migration.version}_${migration.name} was changed after it was applied`,
          );
        report.alreadyApplied.push(migration.version);
        continue;
      }
      const sql = renderMigration(migration.sql, {
        database: db,
        retentionDays: this.options.retentionDays,
        capabilities,
      });
      for (const statement of splitStatements(sql)) await this.connection.command(statement);
      await this.connection.insert('schema_migrations', [
        {
          version: migration.version,
          name: migration.name,
          checksum: sum,
          applied_at_ms: Date.now(),
        },
      ]);
      report.applied.push(migration.version);
    }
    return report;
  }
}

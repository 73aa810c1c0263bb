import { hostname } from 'node:os';
import type { ClickHouseConnection } from './clickhouse-connection';

const LOCK_TABLE = 'schema_migrations_lock';

function isAlreadyExists(error: unknown): boolean {
  return error instanceof Error && /already exists|Code: 57\b/.test(error.message);
}

/**
 * A cross-process mutex made from ClickHouse itself: `CREATE TABLE` without IF NOT EXISTS
 * succeeds for exactly one caller. The holder's row lets waiters break a lock left by a crash.
 */
export class MigrationLock {
  private readonly holder = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2)}`;

  constructor(
    private readonly connection: ClickHouseConnection,
    private readonly staleAfterMs = 120000,
  ) {}

  async acquire(timeoutMs = 180000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const waitingSince = Date.now();
    while (Date.now() < deadline) {
      if (await this.tryCreate()) return;
      await this.breakIfStale(waitingSince);
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
    }
    throw new Error(`could not acquire the migration lock within ${timeoutMs} ms`);
  }

  async release(): Promise<void> {
    await this.connection.command('DROP TABLE IF EXISTS {db:Identifier}.schema_migrations_lock', {
      db: this.connection.database,
    });
  }

  private async tryCreate(): Promise<boolean> {
    try {
      await this.connection.command(
        `CREATE TABLE {db:Identifier}.${LOCK_TABLE} (holder String, acquired_at_ms UInt64) ENGINE = TinyLog`,
        {
          db: this.connection.database,
        },
      );
    } catch (error) {
      if (isAlreadyExists(error)) return false;
      throw error;
    }
    await this.connection.insert(LOCK_TABLE, [{ holder: this.holder, acquired_at_ms: Date.now() }]);
    return true;
  }

  private async breakIfStale(waitingSince: number): Promise<void> {
    const rows = await this.connection
      .query<{ acquired_at_ms: string }>(
        `SELECT acquired_at_ms FROM {db:Identifier}.${LOCK_TABLE}`,
        { db: this.connection.database },
      )
      .catch(() => []);
    const acquiredAt = rows.length > 0 ? Number(rows[0].acquired_at_ms) : waitingSince;
    if (Date.now() - acquiredAt > this.staleAfterMs) await this.release();
  }
}

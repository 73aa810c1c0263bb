import { ClickHouseConnection, isPermanentClickHouseError } from '@agentmon/clickhouse';
import { errorMessage, PermanentError, RetryableError } from './stage-errors';

/**
 * Inserts a cycle's rows into one table. The flush cycle is the batch (it already gathers every
 * partition's output), so rows go out at once in chunks of `maxRowsPerInsert`, with no second
 * buffer or retry loop of their own: failures are classified for the stage runtime, which owns
 * the one retry policy.
 */
export class ClickHouseTableSink<Row extends object> {
  constructor(
    private readonly connection: ClickHouseConnection,
    private readonly table: string,
    private readonly maxRowsPerInsert: number,
  ) {}

  async insert(rows: readonly Row[]): Promise<void> {
    for (let start = 0; start < rows.length; start += this.maxRowsPerInsert) {
      const chunk = rows.slice(start, start + this.maxRowsPerInsert);
      try {
        await this.connection.insert(this.table, chunk);
      } catch (error) {
        const message = `ClickHouse ${this.table}: ${errorMessage(error)}`.slice(0, 2000);
        throw isPermanentClickHouseError(error)
          ? new PermanentError(message, { cause: error })
          : new RetryableError(message, undefined, { cause: error });
      }
    }
  }
}

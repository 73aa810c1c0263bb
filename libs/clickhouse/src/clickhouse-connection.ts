import type { ClickHouseConfig } from '@agentmon/config';
import { ClickHouseClient, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { bindQueryParams, QueryParams } from './query-params';
import { capabilitiesFor, ServerCapabilities } from './server-capabilities';

export interface ClickHouseConnectionOptions {
  url: string;
  database: string;
  username?: string;
  password?: string;
  requestTimeoutMs?: number;
}

/**
 * The only door to ClickHouse: every statement goes through `bindQueryParams`, inserts go as
 * JSONEachRow data (never SQL text), and the server's capabilities are learned once.
 */
export class ClickHouseConnection {
  private capabilitiesPromise?: Promise<ServerCapabilities>;

  private constructor(
    private readonly client: ClickHouseClient,
    readonly database: string,
  ) {}

  static create(options: ClickHouseConnectionOptions): ClickHouseConnection {
    const client = createClient({
      url: options.url,
      username: options.username ?? 'default',
      password: options.password ?? '',
      request_timeout: options.requestTimeoutMs ?? 30000,
      compression: { request: false, response: false },
      // Failures surface as rejected promises that our callers log with context.
      log: { level: ClickHouseLogLevel.OFF },
    });
    return new ClickHouseConnection(client, options.database);
  }

  /** The connection every app and command uses: CLICKHOUSE_* from the config, URL overridable. */
  static fromConfig(config: ClickHouseConfig, url = config.CLICKHOUSE_URL): ClickHouseConnection {
    return ClickHouseConnection.create({
      url,
      database: config.CLICKHOUSE_DATABASE,
      username: config.CLICKHOUSE_USER,
      password: config.CLICKHOUSE_PASSWORD,
    });
  }

  capabilities(): Promise<ServerCapabilities> {
    this.capabilitiesPromise ??= this.query<{ v: string }>('SELECT version() AS v').then(([row]) =>
      capabilitiesFor(row.v),
    );
    return this.capabilitiesPromise;
  }

  async ping(): Promise<boolean> {
    const result = await this.client.ping();
    return result.success;
  }

  async query<Row>(sql: string, params?: QueryParams): Promise<Row[]> {
    const result = await this.client.query({
      query: bindQueryParams(sql, params),
      format: 'JSONEachRow',
    });
    return result.json<Row>();
  }

  async command(sql: string, params?: QueryParams): Promise<void> {
    await this.client.command({ query: bindQueryParams(sql, params) });
  }

  async insert<Row extends object>(table: string, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) throw new Error(`invalid table name "${table}"`);
    await this.client.insert({
      table: `${this.database}.${table}`,
      values: rows as Row[],
      format: 'JSONEachRow',
    });
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

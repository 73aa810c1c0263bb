import { AnalyticsQueries } from '@agentmon/analytics-queries';
import { ClickHouseConnection } from '@agentmon/clickhouse';
import { loadConfig, satisfactionWeightsOf, type AppConfig } from '@agentmon/config';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { StackStatus } from './app-supervisor';

/**
 * The services a command run in another terminal talks to: CLICKHOUSE_URL / REDIS_URL /
 * KAFKA_BROKERS from the environment when set, else those `npm start` published in
 * AGENTMON_DATA_DIR/stack.json, else the config defaults.
 */
export function serviceEnv(
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string | undefined> {
  const merged: Record<string, string | undefined> = { ...env };
  const dataDir = env.AGENTMON_DATA_DIR ?? '.agentmon';
  let services: Record<string, string> | undefined;
  try {
    const status = JSON.parse(
      readFileSync(join(resolve(dataDir), 'stack.json'), 'utf8'),
    ) as StackStatus;
    services = status.services;
  } catch {
    services = undefined;
  }
  for (const [name, value] of Object.entries(services ?? {})) {
    if (merged[name] === undefined || merged[name] === '') merged[name] = value;
  }
  return merged;
}

export interface QueryContext {
  config: AppConfig;
  connection: ClickHouseConnection;
  queries: AnalyticsQueries;
}

/** The query layer over one connection, merging windows as the aggregator configured does. */
export function analyticsQueriesFor(
  connection: ClickHouseConnection,
  config: AppConfig,
): AnalyticsQueries {
  return new AnalyticsQueries(connection, {
    baseWindowS: config.AGGREGATOR_WINDOW_MS / 1000,
    maxValuesPerDimension: config.AGGREGATOR_MAX_VALUES_PER_DIMENSION,
    satisfactionWeights: satisfactionWeightsOf(config),
  });
}

/** Opens the query layer for one command and closes it afterwards. */
export async function withQueries<T>(run: (context: QueryContext) => Promise<T>): Promise<T> {
  const config = loadConfig(serviceEnv());
  const connection = ClickHouseConnection.fromConfig(config);
  const queries = analyticsQueriesFor(connection, config);
  try {
    return await run({ config, connection, queries });
  } finally {
    await connection.close();
  }
}

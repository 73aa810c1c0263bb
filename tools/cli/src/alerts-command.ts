import { ClickHouseConnection } from '@agentmon/clickhouse';
import { loadConfig } from '@agentmon/config';
import Table from 'cli-table3';
import { Command, InvalidArgumentError } from 'commander';

/** One line of `agentmon alerts`: an alert state change or a baseline reset. */
export interface AlertLogEntry {
  at: number;
  kind: 'alert' | 'baseline_reset';
  project_id: string;
  state: string;
  severity: string;
  metric: string;
  slice: string;
  message: string;
  id: string;
}

export interface AlertsQuery {
  project?: string;
  since: number;
  limit: number;
}

const sliceOf = (dimension: string, value: string) =>
  dimension === '' ? '(every slice)' : dimension === 'all' ? 'all' : `${dimension}=${value}`;

/** Alerts and baseline resets since `since`, newest first (ClickHouse FINAL: each change once). */
export async function queryAlertLog(
  connection: ClickHouseConnection,
  query: AlertsQuery,
): Promise<AlertLogEntry[]> {
  const params = {
    db: connection.database,
    since: query.since,
    project: query.project ?? '',
    limit: query.limit,
  };
  const [alerts, resets] = await Promise.all([
    connection.query<Record<string, string>>(
      `SELECT project_id, toString(occurred_at_ms) AS at, alert_id, state, severity, metric,
              slice_dimension, slice_value, message
       FROM {db:Identifier}.alerts FINAL
       WHERE occurred_at_ms >= {since:UInt64} AND ({project:String} = '' OR project_id = {project:String})
       ORDER BY occurred_at_ms DESC, alert_id LIMIT {limit:UInt32}`,
      params,
    ),
    connection.query<Record<string, string>>(
      `SELECT reset_id, toString(requested_at_ms) AS at, requested_by, reason, project_id, metric,
              slice_dimension, slice_value
       FROM {db:Identifier}.baseline_resets FINAL
       WHERE requested_at_ms >= {since:UInt64}
         AND ({project:String} = '' OR project_id = '' OR project_id = {project:String})
       ORDER BY requested_at_ms DESC, reset_id LIMIT {limit:UInt32}`,
      params,
    ),
  ]);
  const entries: AlertLogEntry[] = [
    ...alerts.map((r) => ({
      at: Number(r.at),
      kind: 'alert' as const,
      project_id: r.project_id,
      state: r.state,
      severity: r.severity,
      metric: r.metric,
      slice: sliceOf(r.slice_dimension, r.slice_value),
      message: r.message,
      id: r.alert_id,
    })),
    ...resets.map((r) => ({
      at: Number(r.at),
      kind: 'baseline_reset' as const,
      project_id: r.project_id || '(every project)',
      state: 'baseline reset',
      severity: '',
      metric: r.metric || '(every metric)',
      slice: sliceOf(r.slice_dimension, r.slice_value),
      message: `by ${r.requested_by}: ${r.reason}`,
      id: r.reset_id,
    })),
  ];
  return entries.sort((a, b) => b.at - a.at || a.id.localeCompare(b.id)).slice(0, query.limit);
}

export function formatAlertLog(entries: readonly AlertLogEntry[], format: string): string {
  if (format === 'json') return entries.map((e) => `${JSON.stringify(e)}\n`).join('');
  const table = new Table({
    head: ['time', 'project', 'state', 'severity', 'metric', 'slice', 'message'],
    style: { head: [], border: [] },
    wordWrap: true,
    colWidths: [26, 18, 16, 10, 24, 22, 60],
  });
  for (const e of entries) {
    table.push([
      new Date(e.at).toISOString(),
      e.project_id,
      e.state,
      e.severity,
      e.metric,
      e.slice,
      e.message,
    ]);
  }
  return `${table.toString()}\n${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}\n`;
}

/** "24h", "90m", "7d" or an ISO-8601 time → epoch ms. */
export function parseSince(text: string, now: number): number {
  const rel = /^(\d+)([mhd])$/.exec(text);
  if (rel) return now - Number(rel[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2]]!;
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new InvalidArgumentError('use 90m, 24h, 7d or an ISO-8601 time');
  return t;
}

export function createAlertsCommand(): Command {
  return new Command('alerts')
    .description('alert state changes and baseline resets recorded in ClickHouse, newest first')
    .option('--project <id>', 'only this project')
    .option('--since <when>', 'how far back: 90m, 24h, 7d or an ISO-8601 time', '24h')
    .option(
      '--limit <n>',
      'most entries',
      (v: string) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a positive integer');
        return n;
      },
      100,
    )
    .option('--format <format>', 'table or json (JSON lines)', 'table')
    .action(async (options: { project?: string; since: string; limit: number; format: string }) => {
      const config = loadConfig();
      const connection = ClickHouseConnection.fromConfig(config);
      try {
        const entries = await queryAlertLog(connection, {
          project: options.project,
          since: parseSince(options.since, Date.now()),
          limit: options.limit,
        });
        process.stdout.write(formatAlertLog(entries, options.format));
      } finally {
        await connection.close();
      }
    });
}

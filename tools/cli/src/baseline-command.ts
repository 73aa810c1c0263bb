import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { ClickHouseConnection, ClickHouseTables } from '@agentmon/clickhouse';
import { ChartMetricSchema, IdSchema } from '@agentmon/contracts';
import { loadConfig } from '@agentmon/config';
import {
  BASELINE_RESETS_KEPT,
  BASELINE_RESETS_STREAM,
  BaselineResetRecordSchema,
  parseSliceText,
  sliceText,
  type BaselineResetRecord,
} from '@agentmon/detector-domain';
import { Command, InvalidArgumentError } from 'commander';
import Redis from 'ioredis';

export interface BaselineResetOptions {
  project?: string;
  metric?: string;
  slice?: string;
  reason: string;
  by?: string;
}

/** Who asked: --by, else the OS user (falls back to $USER, then "unknown"). */
export function requester(by: string | undefined): string {
  if (by && by.trim() !== '') return by.trim();
  try {
    return userInfo().username || process.env.USER || 'unknown';
  } catch {
    return process.env.USER || 'unknown';
  }
}

/** The record to store, validated (a bad flag throws InvalidArgumentError naming it). */
export function buildResetRecord(
  options: BaselineResetOptions,
  now: number,
  resetId: string = randomUUID(),
): BaselineResetRecord {
  const fail = (flag: string, why: string): never => {
    throw new InvalidArgumentError(`${flag}: ${why}`);
  };
  if (options.project !== undefined && !IdSchema.safeParse(options.project).success)
    fail('--project', 'not a valid project id');
  if (options.metric !== undefined && !ChartMetricSchema.safeParse(options.metric).success)
    fail('--metric', `must be one of ${ChartMetricSchema.options.join(', ')}`);
  let slice;
  if (options.slice !== undefined) {
    try {
      slice = parseSliceText(options.slice);
    } catch (error) {
      fail('--slice', (error as Error).message);
    }
  }
  if (options.reason.trim() === '') fail('--reason', 'must say why (new model, new prompt…)');
  const parsed = BaselineResetRecordSchema.safeParse({
    reset_id: resetId,
    requested_at: now,
    requested_by: requester(options.by).slice(0, 256),
    reason: options.reason.trim().slice(0, 2048),
    ...(options.project !== undefined ? { project_id: options.project } : {}),
    ...(options.metric !== undefined ? { metric: options.metric } : {}),
    ...(slice ? { slice } : {}),
  });
  if (!parsed.success) fail('baseline reset', parsed.error.issues[0].message);
  return parsed.data!;
}

/** A row of ClickHouse `baseline_resets`. */
export function toResetRow(record: BaselineResetRecord) {
  return {
    reset_id: record.reset_id,
    requested_at_ms: record.requested_at,
    requested_by: record.requested_by,
    reason: record.reason,
    project_id: record.project_id ?? '',
    metric: record.metric ?? '',
    slice_dimension: record.slice?.dimension ?? '',
    slice_value: record.slice?.value ?? '',
  };
}

/**
 * Stores a reset: the audit row in ClickHouse first (so nothing takes effect unlogged), then
 * the Redis stream the running detector reads at its next cycle. Returns the stream id.
 */
export async function recordBaselineReset(
  record: BaselineResetRecord,
  clickhouse: ClickHouseConnection,
  redis: Redis,
): Promise<string> {
  await clickhouse.insert(ClickHouseTables.baselineResets, [toResetRow(record)]);
  const id = await redis.xadd(
    BASELINE_RESETS_STREAM,
    'MAXLEN',
    '~',
    String(BASELINE_RESETS_KEPT),
    '*',
    'reset',
    JSON.stringify(record),
  );
  return id ?? '';
}

export function describeReset(record: BaselineResetRecord): string {
  const scope = [
    `project ${record.project_id ?? '(every project)'}`,
    `metric ${record.metric ?? '(every metric)'}`,
    `slice ${record.slice ? sliceText(record.slice) : '(every slice)'}`,
  ].join(', ');
  return `baseline reset ${record.reset_id} by ${record.requested_by} at ${new Date(record.requested_at).toISOString()} for ${scope}: ${record.reason}`;
}

export function createBaselineCommand(): Command {
  const baseline = new Command('baseline').description('detector baselines');
  baseline
    .command('reset')
    .description(
      'restart the baseline of matching charts from the next window (after an intentional change: new model, new prompt)',
    )
    .option('--project <id>', 'only this project (default: every project)')
    .option('--metric <metric>', 'only this metric (default: every metric)')
    .option('--slice <slice>', 'only this slice, e.g. task_type=faq or all (default: every slice)')
    .requiredOption('--reason <text>', 'why (kept in the audit log shown by `agentmon alerts`)')
    .option('--by <name>', 'who asked (default: the OS user)')
    .action(async (options: BaselineResetOptions) => {
      const record = buildResetRecord(options, Date.now());
      const config = loadConfig();
      const clickhouse = ClickHouseConnection.fromConfig(config);
      const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
      try {
        await recordBaselineReset(record, clickhouse, redis);
        process.stdout.write(`${describeReset(record)}\ntakes effect from the next window\n`);
      } finally {
        await clickhouse.close();
        await redis.quit().catch(() => redis.disconnect());
      }
    });
  return baseline;
}

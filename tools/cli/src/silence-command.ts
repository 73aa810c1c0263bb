import { randomBytes } from 'node:crypto';
import { loadConfig, NotifierConfigSchema } from '@agentmon/config';
import { type Silence, SilenceSchema } from '@agentmon/contracts';
import {
  buildSilence,
  expireSilence,
  parseDurationMs,
  silenceRow,
  silencesKey,
  sortSilences,
} from '@agentmon/notifier-domain';
import Table from 'cli-table3';
import { Command, InvalidArgumentError } from 'commander';
import Redis from 'ioredis';
import { ZodError } from 'zod';

export const EXIT_BAD_INPUT = 2;
export const EXIT_NOT_FOUND = 3;

export interface SilenceOutput {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export interface SilenceAddOptions {
  metric: string;
  slice?: string;
  project?: string;
  for: string;
  reason: string;
  json?: boolean;
}

/** Silences in Redis under the notifier's prefix: the running notifiers read the same hash. */
export class SilenceRepository {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async add(silence: Silence): Promise<void> {
    await this.redis.hset(silencesKey(this.prefix), silence.id, JSON.stringify(silence));
  }

  /** Valid silences, and the ids of entries that are not (reported, never applied). */
  async list(): Promise<{ silences: Silence[]; invalid: string[] }> {
    const entries = await this.redis.hgetall(silencesKey(this.prefix));
    const silences: Silence[] = [];
    const invalid: string[] = [];
    for (const [id, text] of Object.entries(entries)) {
      try {
        silences.push(SilenceSchema.parse(JSON.parse(text)));
      } catch {
        invalid.push(id);
      }
    }
    return { silences, invalid };
  }

  async get(id: string): Promise<Silence | null> {
    const text = await this.redis.hget(silencesKey(this.prefix), id);
    return text === null ? null : SilenceSchema.parse(JSON.parse(text));
  }
}

export function newSilenceId(now: number): string {
  return `sil-${now.toString(36)}-${randomBytes(3).toString('hex')}`;
}

function zodText(error: ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.join('.') || 'silence'}: ${issue.message}`)
    .join('; ');
}

export async function runSilenceAdd(
  repo: SilenceRepository,
  options: SilenceAddOptions,
  out: SilenceOutput,
  now = Date.now(),
): Promise<number> {
  let silence: Silence;
  try {
    silence = buildSilence(
      {
        id: newSilenceId(now),
        metric: options.metric,
        slice: options.slice,
        project_id: options.project,
        duration_ms: parseDurationMs(options.for),
        reason: options.reason,
        created_by: process.env.USER || undefined,
      },
      now,
    );
  } catch (error) {
    const text = error instanceof ZodError ? zodText(error) : (error as Error).message;
    out.stderr(`agentmon silence add: ${text}\n`);
    return EXIT_BAD_INPUT;
  }
  await repo.add(silence);
  out.stdout(
    options.json
      ? `${JSON.stringify(silence)}\n`
      : `silence ${silence.id} active until ${silence.ends_at} (${silenceRow(silence, now).remaining})\n`,
  );
  return 0;
}

export async function runSilenceList(
  repo: SilenceRepository,
  options: { json?: boolean; all?: boolean },
  out: SilenceOutput,
  now = Date.now(),
): Promise<number> {
  const { silences, invalid } = await repo.list();
  const shown = sortSilences(silences, now).filter(
    (s) => options.all || silenceRow(s, now).status !== 'expired',
  );
  const rows = shown.map((s) => silenceRow(s, now));
  if (options.json) {
    out.stdout(`${JSON.stringify(rows)}\n`);
  } else {
    const table = new Table({
      head: ['id', 'status', 'metric', 'slice', 'project', 'ends at', 'left', 'reason', 'by'],
      style: { head: [], border: [] },
    });
    for (const r of rows)
      table.push([
        r.id,
        r.status,
        r.metric,
        r.slice,
        r.project,
        r.ends_at,
        r.remaining,
        r.reason,
        r.created_by,
      ]);
    out.stdout(`${table.toString()}\n${rows.length} silence(s)\n`);
  }
  if (invalid.length > 0)
    out.stderr(`agentmon silence list: ignored invalid entries: ${invalid.join(', ')}\n`);
  return 0;
}

export async function runSilenceExpire(
  repo: SilenceRepository,
  id: string,
  out: SilenceOutput,
  now = Date.now(),
): Promise<number> {
  const silence = await repo.get(id);
  if (!silence) {
    out.stderr(`agentmon silence expire: no silence with id ${id}\n`);
    return EXIT_NOT_FOUND;
  }
  const expired = expireSilence(silence, now);
  await repo.add(expired);
  out.stdout(`silence ${id} expired at ${expired.ends_at}\n`);
  return 0;
}

async function withRepository(run: (repo: SilenceRepository) => Promise<number>): Promise<void> {
  const config = loadConfig(NotifierConfigSchema);
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    process.exitCode = await run(new SilenceRepository(redis, config.NOTIFIER_REDIS_PREFIX));
  } finally {
    redis.disconnect();
  }
}

const stdio: SilenceOutput = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

export function createSilenceCommand(): Command {
  const silence = new Command('silence').description(
    'mute alerts people already work on (stored in Redis; every notifier applies them)',
  );
  silence
    .command('add')
    .description('silence a metric, optionally one slice and one project, for a while')
    .requiredOption('--metric <metric>', 'metric name, e.g. completion_rate')
    .option('--slice <dimension=value>', 'one slice, e.g. platform=mobile (default: every slice)')
    .option('--project <project-id>', 'one project (default: every project)')
    .requiredOption('--for <duration>', 'how long: 30m, 2h, 1h30m, 7d', (v: string) => {
      try {
        parseDurationMs(v);
      } catch (error) {
        throw new InvalidArgumentError((error as Error).message);
      }
      return v;
    })
    .requiredOption('--reason <text>', 'why (shown in `silence list` and the digest)')
    .option('--json', 'print the stored silence as JSON')
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : EXIT_BAD_INPUT))
    .action((options: SilenceAddOptions) =>
      withRepository((repo) => runSilenceAdd(repo, options, stdio)),
    );
  silence
    .command('list')
    .description('active and pending silences (--all: expired too)')
    .option('--json', 'JSON instead of a table')
    .option('--all', 'include expired silences')
    .action((options: { json?: boolean; all?: boolean }) =>
      withRepository((repo) => runSilenceList(repo, options, stdio)),
    );
  silence
    .command('expire')
    .description('end a silence now')
    .argument('<id>', 'silence id (from `silence list`)')
    .action((id: string) => withRepository((repo) => runSilenceExpire(repo, id, stdio)));
  return silence;
}

import { ClickHouseConnection } from '@agentmon/clickhouse';
import Redis from 'ioredis';
import { AppProcess, waitFor } from '@agentmon/launcher';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Every example of the READMEs and docs/ that is meant to run against a stack runs here exactly as
// written, only the host:port of this test's stack substituted. Each fenced block carries a
// `<!-- doc-test: run | setup | no-run (why) -->` comment (docs/ops-queries.md's SQL carries
// `<!-- query: … -->` and runs in apps/aggregator/src/test/ops-queries.int.spec.ts).

const ROOT = join(__dirname, '..', '..');
const DOCS = [
  'README.md',
  'libs/sdk/README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .map((file) => `docs/${file}`),
];

interface DocBlock {
  where: string;
  lang: string;
  mark: string;
  note: string;
  code: string;
}

function docBlocks(file: string): DocBlock[] {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\S*)/.exec(lines[i]);
    if (!fence) continue;
    const end = lines.findIndex((line, j) => j > i && line.startsWith('```'));
    const marker = /^<!-- (doc-test|query): (\S+)\s*(.*?)\s*-->$/.exec(lines[i - 1] ?? '');
    blocks.push({
      where: `${file}:${i + 1}`,
      lang: fence[1],
      mark: marker ? (marker[1] === 'query' ? 'query' : marker[2]) : 'unmarked',
      note: marker?.[3] ?? '',
      code: lines.slice(i + 1, end).join('\n'),
    });
    i = end;
  }
  return blocks;
}

const BLOCKS = DOCS.flatMap(docBlocks);
const block = (file: string, includes: string): DocBlock => {
  const found = BLOCKS.filter((b) => b.where.startsWith(`${file}:`) && b.code.includes(includes));
  if (found.length !== 1) throw new Error(`expected one block of ${file} with "${includes}"`);
  return found[0];
};

/**
 * Every inline `npx agentmon …` of the docs and how this test covers it. A new one fails the
 * test until it is added here: run (in this file) or why not.
 */
const INLINE_COMMANDS: Record<string, string> = {
  'npx agentmon migrate': 'run: prepares the stack below',
  'npx agentmon topics': 'run: prepares the stack below',
  'npx agentmon hash-key <project> <key>': 'run: as in the README setup block',
  "npx agentmon hash-key 'proj-a+proj-b' <token>":
    'no-run: a placeholder token; the same command as above, its output parsed as a CONSOLE_TOKENS entry in apps/console/src/auth/console-token-registry.spec.ts',
  'npx agentmon schema trace-summary': 'run below',
  'npx agentmon status': 'no-run: reads the state file of `npm start` (tools/cli start/status)',
  'npx agentmon dashboard':
    'no-run: needs stored windows; run on seeded data in libs/analytics-queries/src/analytics-commands.int.spec.ts',
  'npx agentmon report --weekly [--format markdown]':
    'no-run: needs a week of data; run on seeded data in libs/analytics-queries/src/analytics-commands.int.spec.ts',
  'npx agentmon traces show <trace-id>':
    'no-run: a placeholder id; run on seeded data in libs/analytics-queries/src/analytics-commands.int.spec.ts',
  'npx agentmon eval-candidates --out failures.jsonl':
    'no-run: needs stored failures; run on seeded data in libs/analytics-queries/src/analytics-commands.int.spec.ts',
  'npx agentmon simulate --api-key KEY [--scenario NAME] [--rate 5] [--duration 60s | --backfill 24h]':
    'no-run: a placeholder key and options; the scenarios run through the SDK and the gateway in tools/tests/pipeline-e2e.int.spec.ts',
  'npx agentmon broker --port 9092 --data-dir ./data':
    'no-run: a foreground broker on a fixed port; the same broker runs under every integration test',
};

interface Run {
  stdout: string;
  stderr: string;
}

function bash(script: string, env: Record<string, string> = {}, cwd = ROOT): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      ['-eo', 'pipefail', '-c', script],
      { cwd, env: { ...process.env, ...env }, timeout: 60000 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve({ stdout, stderr }),
    );
  });
}

/** Answers POST /v1/messages like the Anthropic Messages API: a tool_use, then a text answer. */
function startMessagesStandIn(): Promise<{ server: Server; url: string; calls: number[] }> {
  const calls: number[] = [];
  const usage = { input_tokens: 400, output_tokens: 60 };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      calls.push(Date.now());
      const first = calls.length === 1;
      const content = first
        ? [{ type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } }]
        : [{ type: 'text', text: 'It is 18 °C in Paris.' }];
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: `msg_0${calls.length}`,
          type: 'message',
          role: 'assistant',
          model: 'claude-sonnet-4-6',
          content,
          stop_reason: first ? 'tool_use' : 'end_turn',
          stop_sequence: null,
          usage,
        }),
      );
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        calls,
      }),
    ),
  );
}

describe('every runnable example of the docs, as written, against a running stack', () => {
  const clickhouseUrl = process.env.CLICKHOUSE_URL!;
  const broker = process.env.KAFKA_BROKERS!.split(',')[0];
  // The docs query the default database, `agentmon`: this test owns it in the suite's ClickHouse.
  const clickhouse = ClickHouseConnection.create({ url: clickhouseUrl, database: 'agentmon' });
  let exported: Record<string, string> = {};
  let gateway: AppProcess;
  let sessionizer: AppProcess;
  let gatewayHostPort = '';

  /** The only substitution: the doc's host:port → this test's stack. */
  const substitute = (code: string) =>
    code.replace(/localhost:4318/g, gatewayHostPort).replace(/127\.0\.0\.1:9092/g, broker);

  beforeAll(async () => {
    await clickhouse.command('DROP DATABASE IF EXISTS agentmon');
    // The README's `npx agentmon migrate` and `npx agentmon topics`, against the suite's services.
    await bash('npx agentmon migrate && npx agentmon topics');

    // The README setup block without its `npm start` line; its exports configure our stack.
    const setup = block('README.md', 'npm start &');
    expect(setup.mark).toBe('setup');
    const script = setup.code
      .split('\n')
      .filter((line) => !/^npm start\b/.test(line))
      .join('\n');
    const { stdout } = await bash(`${script}\nenv -0`);
    exported = Object.fromEntries(
      stdout
        .split('\0')
        .filter(Boolean)
        .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)])
        .filter(([name, value]) => name === 'GATEWAY_API_KEYS' && process.env[name] !== value),
    );
    expect(exported.GATEWAY_API_KEYS).toMatch(/^my-project:[0-9a-f]{64}$/);

    gateway = AppProcess.start('gateway', {
      ...exported,
      GATEWAY_PORT: '0',
      // The first produce of a fresh gateway (producer metadata) can take seconds on the shared
      // test machine; the documented curl does not retry a 503, so allow it time.
      GATEWAY_PRODUCE_TIMEOUT_MS: '30000',
    });
    // The kcat example's ids are fixed and the direct-producer suite sends it too. This
    // sessionizer reads the shared topic from the start: forget what that suite's sessionizer
    // remembered of the trace in the shared Redis before this one starts, or its copy on the
    // topic reads as a replay of a trace already stored (elsewhere) and nothing lands here.
    const redis = new Redis(process.env.REDIS_URL!);
    await redis.del('agentmon:basis:my-project:trace-kcat-1');
    redis.disconnect();
    sessionizer = AppProcess.start('sessionizer', {
      ...exported,
      SESSIONIZER_PORT: '0',
      SESSIONIZER_GROUP_ID: `docs-it-${randomUUID()}`,
      SESSIONIZER_ROOT_GRACE_MS: '300',
      SESSIONIZER_TICK_MS: '100',
      SESSIONIZER_SESSION_TIMEOUT_MS: '6000',
    });
    const [gatewayUrl] = await Promise.all([gateway.ready(), sessionizer.ready()]);
    gatewayHostPort = new URL(gatewayUrl).host;
    // Three CLI runs and two apps, each compiled by swc at start, on a shared machine.
  }, 180000);

  afterAll(async () => {
    await Promise.all([gateway?.stop(15000), sessionizer?.stop(15000)]);
    await clickhouse.command('DROP DATABASE IF EXISTS agentmon');
    await clickhouse.close();
  });

  it('marks every fenced block with whether and how it runs', () => {
    const unmarked = BLOCKS.filter((b) => !['run', 'setup', 'no-run', 'query'].includes(b.mark));
    expect(unmarked.map((b) => b.where)).toEqual([]);
    expect(BLOCKS.filter((b) => b.mark === 'no-run' && !b.note).map((b) => b.where)).toEqual([]);
    // Each runnable block is run by one of the tests below.
    expect(
      BLOCKS.filter((b) => b.mark === 'run' || b.mark === 'setup')
        .map((b) => b.where.split(':')[0])
        .sort(),
    ).toEqual([
      'README.md',
      'README.md',
      'README.md',
      'docs/producing-to-kafka.md',
      'docs/producing-to-kafka.md',
      'libs/sdk/README.md',
    ]);
  });

  it('covers every inline `npx agentmon` command of the docs', () => {
    const inline = DOCS.flatMap((file) =>
      [...readFileSync(join(ROOT, file), 'utf8').matchAll(/`(npx agentmon [^`]*)`/g)].map(
        (m) => m[1],
      ),
    );
    expect([...new Set(inline)].filter((command) => !(command in INLINE_COMMANDS))).toEqual([]);
  });

  it('README: the curl examples are accepted and the trace lands in ClickHouse with its cost', async () => {
    const send = block('README.md', '/v1/spans');
    expect(send.mark).toBe('run');
    const { stdout } = await bash(substitute(send.code));
    expect(stdout).toBe('{"accepted":1}{"accepted":1}');

    const query = block('README.md', 'agentmon.trace_summaries');
    expect(query.mark).toBe('run');
    const printed = await waitFor(
      'the README trace in ClickHouse',
      async () => {
        const out = (await bash(substitute(query.code))).stdout;
        return out.trim() ? out : undefined;
      },
      { timeoutMs: 45000, intervalMs: 300 },
    );
    expect(printed).toBe('t1\t0.0081\n');
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('prints `t1\t0.0081`');
  }, 120000);

  it('libs/sdk/README.md: the TypeScript example sends its trace through the gateway', async () => {
    const example = block('libs/sdk/README.md', 'new AgentMonClient');
    expect(example.mark).toBe('run');
    const api = await startMessagesStandIn();
    const dir = mkdtempSync(join(tmpdir(), 'agentmon-sdk-doc-'));
    try {
      writeFileSync(join(dir, 'agent.ts'), substitute(example.code));
      const { stdout } = await bash(
        `node -r ${join(ROOT, 'tools/register.js')} agent.ts`,
        {
          NODE_PATH: join(ROOT, 'node_modules'),
          AGENTMON_API_KEY: 'am_live_secret',
          ANTHROPIC_API_KEY: 'sk-test',
          ANTHROPIC_BASE_URL: api.url,
        },
        dir,
      );
      expect(stdout).toBe('It is 18 °C in Paris.\n');
      expect(api.calls).toHaveLength(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      api.server.close();
    }
    const [row] = await waitFor(
      'the SDK example trace in ClickHouse',
      async () => {
        const rows = await clickhouse.query<Record<string, string | number>>(
          `SELECT project_id, session_id, span_count, tool_call_count, completed, final_output, cost_usd
           FROM {db:Identifier}.trace_summaries FINAL WHERE session_id = {s:String}`,
          { db: 'agentmon', s: 'sess-123' },
        );
        return rows.length > 0 ? rows : undefined;
      },
      { timeoutMs: 45000, intervalMs: 300 },
    );
    // agent_step + two llm_calls + one tool_call; 2 × (400 in, 60 out) tokens at $3/$15 per million.
    expect(row).toMatchObject({ project_id: 'my-project', final_output: 'It is 18 °C in Paris.' });
    expect(Number(row.span_count)).toBe(4);
    expect(Number(row.tool_call_count)).toBe(1);
    expect(Number(row.completed)).toBe(1);
    expect(Number(row.cost_usd)).toBeCloseTo((2 * (400 * 3 + 60 * 15)) / 1e6, 9);
  }, 120000);

  it('docs/producing-to-kafka.md: the kcat example is stored under the project of its key', async () => {
    const kcat = block('docs/producing-to-kafka.md', 'kcat -P');
    expect(kcat.mark).toBe('run');
    await bash(substitute(kcat.code));
    const [row] = await waitFor(
      'the kcat trace in ClickHouse',
      async () => {
        const rows = await clickhouse.query<Record<string, string | number>>(
          'SELECT project_id, span_count, final_output FROM {db:Identifier}.trace_summaries FINAL WHERE trace_id = {t:String}',
          { db: 'agentmon', t: 'trace-kcat-1' },
        );
        return rows.length > 0 ? rows : undefined;
      },
      { timeoutMs: 45000, intervalMs: 300 },
    );
    expect(row).toMatchObject({ project_id: 'my-project', final_output: 'It is sunny' });
    expect(Number(row.span_count)).toBe(1);
  }, 120000);

  it('docs/producing-to-kafka.md: the schema commands print JSON Schemas', async () => {
    const schema = block('docs/producing-to-kafka.md', 'npx agentmon schema spans-record');
    expect(schema.mark).toBe('run');
    // As written, from the repository root (where `npx agentmon` resolves); the file it writes
    // there is removed afterwards.
    const written = join(ROOT, 'spans-record.schema.json');
    try {
      await bash(schema.code);
      const parsed = JSON.parse(readFileSync(written, 'utf8'));
      expect(parsed.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    } finally {
      rmSync(written, { force: true });
    }
    const inline = JSON.parse((await bash('npx agentmon schema trace-summary')).stdout);
    expect(inline.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  }, 120000);
});

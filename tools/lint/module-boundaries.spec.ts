import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/**
 * Lints probe sources as if they lived at the given paths: each layering rule in
 * eslint.config.mjs must turn a real violation into an error, and leave allowed imports alone.
 */
async function boundaryErrors(filePath: string, source: string): Promise<string[]> {
  const run = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/eslint/bin/eslint.js'),
      '--stdin',
      '--stdin-filename',
      filePath,
      '--format',
      'json',
    ],
    {
      cwd: ROOT,
      input: source,
      encoding: 'utf8',
      env: { ...process.env, NX_DAEMON: 'false' },
    },
  );
  if (!run.stdout.startsWith('[')) throw new Error(`eslint failed: ${run.stderr}`);
  const [result] = JSON.parse(run.stdout) as {
    messages: { ruleId: string; severity: number; message: string }[];
  }[];
  return result.messages
    .filter((m) => m.ruleId === '@nx/enforce-module-boundaries' && m.severity === 2)
    .map((m) => m.message);
}

describe('module boundaries (eslint @nx/enforce-module-boundaries)', () => {
  it.each([
    [
      'an app importing another app',
      'apps/gateway/src/probe.ts',
      "import { SessionizerModule } from '../../sessionizer/src/sessionizer.module';\nexport const x = SessionizerModule;\n",
    ],
    [
      'a lib importing an app',
      'libs/clickhouse/src/probe.ts',
      "import { GatewayModule } from '../../../apps/gateway/src/gateway.module';\nexport const x = GatewayModule;\n",
    ],
    [
      'contracts importing a util lib',
      'libs/contracts/src/probe.ts',
      "import { loadConfig } from '@agentmon/config';\nexport const x = loadConfig;\n",
    ],
    [
      'a util lib importing data-access',
      'libs/config/src/probe.ts',
      "import { ClickHouseConnection } from '@agentmon/clickhouse';\nexport const x = ClickHouseConnection;\n",
    ],
    [
      'production code importing test helpers',
      'libs/clickhouse/src/probe.ts',
      "import * as testing from '@agentmon/testing';\nexport const x = testing;\n",
    ],
    [
      'a lib importing another lib by relative path',
      'libs/clickhouse/src/probe.ts',
      "import { loadConfig } from '../../config/src/load-config';\nexport const x = loadConfig;\n",
    ],
    [
      'a domain spec importing an I/O lib (test code keeps the layering)',
      'libs/sessionizer-domain/src/probe.spec.ts',
      "import { ClickHouseConnection } from '@agentmon/clickhouse';\nexport const x = ClickHouseConnection;\n",
    ],
  ])('rejects %s', async (_name, filePath, source) => {
    expect((await boundaryErrors(filePath, source)).length).toBeGreaterThan(0);
  });

  it.each([
    [
      'an app importing a data-access lib',
      'apps/gateway/src/probe.ts',
      "import { ClickHouseConnection } from '@agentmon/clickhouse';\nexport const x = ClickHouseConnection;\n",
    ],
    [
      'data-access importing util',
      'libs/clickhouse/src/probe.ts',
      "import { loadConfig } from '@agentmon/config';\nexport const x = loadConfig;\n",
    ],
    [
      'a spec importing test helpers',
      'libs/clickhouse/src/probe.spec.ts',
      "import * as testing from '@agentmon/testing';\nexport const x = testing;\n",
    ],
  ])('allows %s', async (_name, filePath, source) => {
    expect(await boundaryErrors(filePath, source)).toEqual([]);
  });
});

// Starts (or reuses, when REDIS_URL / CLICKHOUSE_URL / KAFKA_BROKERS are set) the real services
// every *.int.spec.ts talks to; workers inherit the resulting env vars. Jest compiles this file's
// TypeScript imports itself but without moduleNameMapper, so the @agentmon/* aliases are
// registered here from tsconfig.base.json.
const path = require('path');
const tsconfigPaths = require('tsconfig-paths');
const { compilerOptions } = require('../../tsconfig.base.json');

tsconfigPaths.register({ baseUrl: path.join(__dirname, '..', '..'), paths: compilerOptions.paths });
const { startLocalInfrastructure } = require('../../libs/launcher/src/index.ts');

module.exports = async function integrationGlobalSetup() {
  const infra = await startLocalInfrastructure({ purpose: 'test' });
  Object.assign(process.env, infra.env);
  globalThis.__AGENTMON_INFRA__ = infra;
};

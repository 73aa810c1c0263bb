// Starts (or reuses, when REDIS_URL / CLICKHOUSE_URL / KAFKA_BROKERS are set) the real services
// every *.int.spec.ts talks to; workers inherit the resulting env vars.
require('../register');
const { startLocalInfrastructure } = require('../../libs/launcher/src/index.ts');

module.exports = async function integrationGlobalSetup() {
  const infra = await startLocalInfrastructure({ purpose: 'test' });
  Object.assign(process.env, infra.env);
  globalThis.__AGENTMON_INFRA__ = infra;
};

module.exports = async function integrationGlobalTeardown() {
  const infra = globalThis.__AGENTMON_INFRA__;
  if (infra) await infra.stop();
};

// Runs this lib's unit and broker integration specs without the repo-wide integration globalSetup
// (redis/clickhouse): every broker test starts its own broker on 127.0.0.1:0.
const path = require('path');
const root = path.join(__dirname, '..', '..');
const { pathsToModuleNameMapper } = require(
  path.join(root, 'tools/jest/paths-to-module-name-mapper'),
);

module.exports = {
  rootDir: root,
  roots: ['<rootDir>/libs/embedded-kafka'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: pathsToModuleNameMapper(),
  testEnvironment: 'node',
  testTimeout: 60000,
  // Brokers, kcat and child processes are CPU-heavy on a 2-core box.
  maxWorkers: 2,
};

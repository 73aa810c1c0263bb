// Two suites only: *.spec.ts (pure, no network) and *.int.spec.ts (real services from the launcher).
const { pathsToModuleNameMapper } = require('./tools/jest/paths-to-module-name-mapper');
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];
const common = {
  transform: { '^.+\\.ts$': swc },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: pathsToModuleNameMapper(),
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/tools'],
};
module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['**/*.spec.ts'],
      testPathIgnorePatterns: ['\\.int\\.spec\\.ts$', '/node_modules/'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['**/*.int.spec.ts'],
      globalSetup: '<rootDir>/tools/jest/integration-global-setup.js',
      globalTeardown: '<rootDir>/tools/jest/integration-global-teardown.js',
      setupFilesAfterEnv: ['<rootDir>/tools/jest/integration-timeout.js'],
    },
  ],
};

import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

// What each layer may import. Apps sit on top; libs never reach up into apps; pure domain code
// never does I/O; production code never uses test helpers.
const LAYERS = {
  'type:app': ['type:domain', 'type:data-access', 'type:contracts', 'type:util'],
  'type:data-access': ['type:data-access', 'type:domain', 'type:contracts', 'type:util'],
  'type:domain': ['type:domain', 'type:contracts', 'type:util'],
  'type:contracts': ['type:contracts'],
  'type:util': ['type:util', 'type:contracts'],
  'type:testing': [
    'type:testing',
    'type:domain',
    'type:data-access',
    'type:contracts',
    'type:util',
  ],
};
// Each bounded context sees itself and the shared kernel only.
const SCOPES = {
  'scope:shared': ['scope:shared'],
  'scope:ingest': ['scope:ingest', 'scope:shared'],
  'scope:analytics': ['scope:analytics', 'scope:shared'],
  'scope:alerting': ['scope:alerting', 'scope:shared'],
  // The operator CLI composes every context (offline detector replay, storage prep, broker).
  'scope:cli': ['scope:shared', 'scope:ingest', 'scope:analytics', 'scope:alerting'],
  // The console reads what every context stores (metrics, alerts, silences) and hashes its
  // tokens exactly as ingest hashes API keys.
  'scope:console': ['scope:shared', 'scope:ingest', 'scope:analytics', 'scope:alerting'],
};

/** The one boundary matrix; test code gets the same rules plus access to the testing libs. */
function moduleBoundaries({ testCode }) {
  const layers = Object.entries(LAYERS).map(([sourceTag, allowed]) => ({
    sourceTag,
    onlyDependOnLibsWithTags: testCode ? [...new Set([...allowed, 'type:testing'])] : allowed,
  }));
  const scopes = Object.entries(SCOPES).map(([sourceTag, allowed]) => ({
    sourceTag,
    onlyDependOnLibsWithTags: allowed,
  }));
  return [
    'error',
    {
      enforceBuildableLibDependency: false,
      allow: [],
      banTransitiveDependencies: false,
      depConstraints: [...layers, ...scopes],
    },
  ];
}

export default [
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.nx/**',
      'coverage/**',
      'tools/lint/fixtures/**',
    ],
  },
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@nx/enforce-module-boundaries': moduleBoundaries({ testCode: false }),
    },
  },
  {
    // Plain CommonJS entry points (jest config, the swc register hook, the CLI shim).
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        globalThis: 'readonly',
        jest: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Test code may also use the testing libs (factories, readers); every other rule still holds.
    files: [
      '**/*.spec.ts',
      '**/*.int.spec.ts',
      '**/test/**/*.ts',
      '**/bench/**/*.ts',
      '**/testing/**/*.ts',
    ],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@nx/enforce-module-boundaries': moduleBoundaries({ testCode: true }),
    },
  },
];

import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const onlyDependOn = (...tags) => tags;

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
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          banTransitiveDependencies: false,
          depConstraints: [
            // Layering: apps sit on top; libs never reach up into apps; pure domain code never does I/O.
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: onlyDependOn(
                'type:domain',
                'type:data-access',
                'type:contracts',
                'type:util',
              ),
            },
            {
              sourceTag: 'type:data-access',
              onlyDependOnLibsWithTags: onlyDependOn(
                'type:data-access',
                'type:domain',
                'type:contracts',
                'type:util',
              ),
            },
            {
              sourceTag: 'type:domain',
              onlyDependOnLibsWithTags: onlyDependOn('type:domain', 'type:contracts', 'type:util'),
            },
            {
              sourceTag: 'type:contracts',
              onlyDependOnLibsWithTags: onlyDependOn('type:contracts'),
            },
            {
              sourceTag: 'type:util',
              onlyDependOnLibsWithTags: onlyDependOn('type:util', 'type:contracts'),
            },
            {
              sourceTag: 'type:testing',
              onlyDependOnLibsWithTags: onlyDependOn(
                'type:testing',
                'type:domain',
                'type:data-access',
                'type:contracts',
                'type:util',
              ),
            },
            // Scopes: each bounded context sees itself and the shared kernel only.
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: onlyDependOn('scope:shared') },
            {
              sourceTag: 'scope:ingest',
              onlyDependOnLibsWithTags: onlyDependOn('scope:ingest', 'scope:shared'),
            },
            {
              sourceTag: 'scope:analytics',
              onlyDependOnLibsWithTags: onlyDependOn('scope:analytics', 'scope:shared'),
            },
            {
              sourceTag: 'scope:alerting',
              onlyDependOnLibsWithTags: onlyDependOn('scope:alerting', 'scope:shared'),
            },
          ],
        },
      ],
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
    // Test files may use the testing libs (factories, launcher) whatever their project's type.
    files: ['**/*.spec.ts', '**/*.int.spec.ts', '**/bench/**/*.ts', '**/testing/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          depConstraints: [
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: onlyDependOn(
                'type:domain',
                'type:data-access',
                'type:contracts',
                'type:util',
                'type:testing',
              ),
            },
            { sourceTag: '*', notDependOnLibsWithTags: ['type:app'] },
          ],
        },
      ],
    },
  },
];

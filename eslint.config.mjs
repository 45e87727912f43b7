// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Rules about values typed `any`: on for the libs and the apps (typed rows); off for tests, bench, scripts and contracts (see CONTRIBUTING.md). */
const unsafeAny = [
  '@typescript-eslint/no-unsafe-assignment',
  '@typescript-eslint/no-unsafe-member-access',
  '@typescript-eslint/no-unsafe-argument',
  '@typescript-eslint/no-unsafe-call',
  '@typescript-eslint/no-unsafe-return',
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'coverage/**',
      '.data/**',
      'contracts/artifacts/**',
      'contracts/cache/**',
      'contracts/types/**',
      'libs/chain/src/generated/**',
      'bench/results/**',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
      // An async method that happens not to await (an interface's implementation) is not a bug.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Plain JavaScript (scripts, configs) is not part of the TypeScript project.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs', '**/*.mts', 'contracts/hardhat.config.ts', 'scripts/demo.ts'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts', 'contracts/**/*.ts'],
    rules: Object.fromEntries(unsafeAny.map((rule) => [rule, 'off'])),
  },
  {
    // The web app runs in the browser (apps/web/tsconfig.json: DOM, bundled by Vite).
    files: ['apps/web/**/*.ts', 'apps/web/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Lanes: the libs are the core the apps build on, never the other way round.
    files: ['libs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/apps/**', '@upstream/api', '@upstream/cli'], message: 'libs never import apps' }] },
      ],
    },
  },
);

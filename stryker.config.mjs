// @ts-check
/**
 * Mutation testing of the pure libs (`npm run test:mutation`, see bench/mutation.bench.ts, which runs
 * this once per lib with `--mutate`). Equivalent mutants are marked where they are, with
 * `// Stryker disable next-line <mutator>: <reason>` comments in the source.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.mts' },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.mutation.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'perTest',
  mutate: ['libs/royalties/src/**/*.ts', 'libs/merkle/src/**/*.ts', 'libs/provenance/src/**/*.ts', '!**/index.ts'],
  ignorePatterns: ['dist', 'coverage', '.data', 'contracts/artifacts', 'contracts/cache', 'bench/results'],
  concurrency: 2,
  incremental: true,
  incrementalFile: process.env.STRYKER_INCREMENTAL ?? '.data/stryker/incremental.json',
  tempDirName: '.data/stryker/tmp',
  reporters: ['json', 'clear-text', 'progress'],
  jsonReporter: { fileName: process.env.STRYKER_JSON_REPORT ?? '.data/stryker/mutation.json' },
  timeoutMS: 5_000,
  cleanTempDir: 'always',
};

import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.mts';

/**
 * The pure libs' unit and property tests only (royalties, merkle, provenance): what Stryker runs
 * for `npm run test:mutation`. No PostgreSQL, no chain, so each mutant costs milliseconds.
 */
const config = mergeConfig(base, {
  test: {
    globalSetup: [],
    reporters: ['default'],
  },
});
config.test!.include = ['test/unit/{royalties,merkle,provenance}/**/*.test.ts'];
config.test!.globalSetup = [];
config.test!.reporters = ['default'];
// Big-input tests shrink under mutation (each runs once per mutant); see their comments.
config.test!.env = { ...config.test!.env, UPSTREAM_MUTATION_RUN: '1' };
export default defineConfig(config);

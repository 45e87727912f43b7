import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const lib = (name: string) => fileURLToPath(new URL(`./libs/${name}/src`, import.meta.url));

export default defineConfig({
  // vitest's own transform drops decorator metadata, which Nest's DI needs.
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: {
    alias: {
      '@upstream/provenance/node': `${lib('provenance')}/node`,
      '@upstream/provenance': lib('provenance'),
      '@upstream/royalties': lib('royalties'),
      '@upstream/merkle': lib('merkle'),
      '@upstream/database': lib('database'),
      '@upstream/chain': lib('chain'),
      '@upstream/api-contract': lib('api-contract'),
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', ['json', { outputFile: '.data/test-results.json' }]],
  },
});

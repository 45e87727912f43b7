import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npx vite --config apps/web/vite.config.mts`: the app with hot reload, the API's paths proxied to a
// running service (UPSTREAM_API, default http://127.0.0.1:3000, as `npm start` serves it).
const API = process.env.UPSTREAM_API ?? 'http://127.0.0.1:3000';
const API_PREFIXES = ['/auth', '/datasets', '/blobs', '/uploads', '/licenses', '/labs', '/runs', '/models'];
const API_PREFIXES_MORE = ['/contributors', '/epochs', '/payments', '/chain', '/health', '/docs'];

const lib = (name: string) => fileURLToPath(new URL(`../../libs/${name}/src`, import.meta.url));

// The web app: built into dist/apps/web by `npm run build`, served by the API at / (routes under /app/…).
// The pure libs are imported from source, as the API and the CLI do, so the browser hashes and verifies
// with the same code.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  server: {
    proxy: Object.fromEntries([...API_PREFIXES, ...API_PREFIXES_MORE].map((prefix) => [prefix, API])),
  },
  resolve: {
    alias: {
      '@upstream/provenance': lib('provenance'),
      '@upstream/royalties': lib('royalties'),
      '@upstream/merkle': lib('merkle'),
      '@upstream/api-contract': lib('api-contract'),
      // The proposal templates (encoded as the CLI encodes them), without the rest of the chain lib.
      '@upstream/chain/governance': `${lib('chain')}/governance/proposal-actions.ts`,
    },
  },
  build: {
    outDir: fileURLToPath(new URL('../../dist/apps/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // Measured by `npm run bench:web` (initialJsGzipKiB); pages past the catalogue load on demand.
    chunkSizeWarningLimit: 800,
    rolldownOptions: {
      onwarn(warning, warn) {
        // siwe's parser (apg-js) starts files with a misspelt 'use strict;' directive: harmless, and not ours.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE' && warning.id?.includes('apg-js')) return;
        warn(warning);
      },
    },
  },
});

import { defineConfig } from 'vitepress';

// The docs site: built by `npm run docs:build` (part of `npm run build`) into dist/docs-site, served by the
// service under /docs-site/ (apps/api/src/docs-site/), and publishable as it is on any static host.
export default defineConfig({
  title: 'Upstream',
  description: 'Royalties for AI training data: guides for each user, a reference for each format.',
  base: '/docs-site/',
  outDir: '../dist/docs-site',
  cacheDir: '../.data/vitepress-cache',
  cleanUrls: false,
  lastUpdated: false,
  // Pages link to the repository's own files (README, source) by relative path; those are not pages.
  ignoreDeadLinks: [/(README|CONTRIBUTING)(\.md)?$/, /\/(apps|libs|test|scripts|contracts)\//, 'localhostLinks'],
  themeConfig: {
    nav: [
      { text: 'Guides', link: '/guides/contributor' },
      { text: 'Reference', link: '/reference/' },
    ],
    sidebar: [
      {
        text: 'Guides',
        items: [
          { text: 'Contributor', link: '/guides/contributor' },
          { text: 'Lab', link: '/guides/lab' },
          { text: 'Auditor', link: '/guides/auditor' },
          { text: 'Governance', link: '/guides/governance' },
          { text: 'Time on the local chain', link: '/guides/local-chain-time' },
          { text: 'Operator', link: '/guides/operator' },
          { text: 'Web app', link: '/guides/web-app' },
        ],
      },
      {
        text: 'Reference',
        items: [
          { text: 'Overview', link: '/reference/' },
          { text: 'EIP-712 messages', link: '/reference/eip712' },
          { text: 'Merkle leaves and trees', link: '/reference/merkle-leaves' },
          { text: 'Epoch dataHash', link: '/reference/data-hash' },
          { text: 'Allocation and license fees', link: '/reference/allocation' },
          { text: 'License terms and per-run fees', link: '/reference/licenses' },
          { text: 'Settlement timing', link: '/reference/settlement-timing' },
          { text: 'Governance: earn, delegate, propose, vote', link: '/reference/governance' },
          { text: 'Disputes and escrow', link: '/reference/disputes' },
          { text: 'Contracts and gas', link: '/reference/contracts' },
          { text: 'HTTP API', link: '/reference/http-api' },
          { text: 'Web app', link: '/reference/web-app' },
          { text: 'Error codes', link: '/reference/errors' },
          { text: 'Access', link: '/reference/access' },
          { text: 'Request limits', link: '/reference/request-limits' },
          { text: 'HTTP caching, compression and CORS', link: '/reference/http-caching' },
          { text: 'Upload path', link: '/reference/uploads' },
          { text: 'Object storage', link: '/reference/object-storage' },
          { text: 'Integrity', link: '/reference/integrity' },
          { text: 'CLI', link: '/reference/cli' },
          { text: 'Deployment file', link: '/reference/deployment-file' },
          { text: 'Samples in other languages', link: '/reference/samples' },
        ],
      },
      {
        text: 'The project',
        items: [
          { text: 'Architecture', link: '/reference/architecture' },
          { text: 'Configuration', link: '/reference/configuration' },
          { text: 'Tests', link: '/reference/testing' },
          { text: 'Benchmarks', link: '/reference/benchmarks' },
        ],
      },
    ],
    search: { provider: 'local' },
  },
});

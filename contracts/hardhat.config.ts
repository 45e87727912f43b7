import { createRequire } from 'node:module';
import { defineConfig } from 'hardhat/config';
import hardhatEthers from '@nomicfoundation/hardhat-ethers';

// Hardhat downloads solc by default, which fails offline: compile with the
// soljson.js shipped in the npm `solc` package instead.
const require = createRequire(import.meta.url);
const solcVersion: string = require('solc/package.json').version;

export default defineConfig({
  plugins: [hardhatEthers],
  solidity: {
    version: solcVersion,
    path: require.resolve('solc/soljson.js'),
    settings: {
      evmVersion: 'cancun',
      optimizer: { enabled: true, runs: 10_000 },
    },
  },
  // Moderate fuzzing so `npm test` (which runs these) stays quick on 2 cores.
  test: {
    solidity: {
      fuzz: { runs: 256 },
      invariant: { runs: 64, depth: 32 },
    },
  },
  paths: {
    sources: './src',
    tests: { solidity: './test' },
  },
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './service-process';

/**
 * A test-only contract (contracts/src/test), read from Hardhat's artifacts: test Solidity is never
 * exported into the runtime artifacts of @upstream/chain. `npm install` (or `npm run compile:contracts`)
 * builds them.
 */
export function testArtifact(name: string): { abi: unknown[]; bytecode: string } {
  const path = join(ROOT, 'contracts/artifacts/src/test', `${name}.sol`, `${name}.json`);
  const artifact = JSON.parse(readFileSync(path, 'utf8')) as { abi: unknown[]; bytecode: string };
  return { abi: artifact.abi, bytecode: artifact.bytecode };
}

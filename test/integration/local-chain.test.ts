import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonRpcProvider } from 'ethers';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalChain } from '@upstream/chain';
import { freePort } from '../support/ports';

describe('the local chain (anvil with its state in a file)', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps block times moving forward across a restart, after time was moved ahead', async () => {
    dir = await mkdtemp(join(tmpdir(), 'upstream-local-chain-'));
    const options = { port: await freePort(), stateFile: join(dir, 'state.json') };
    const latest = async (chain: LocalChain) => {
      const provider = new JsonRpcProvider(chain.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
      try {
        await provider.send('evm_mine', []);
        return (await provider.getBlock('latest'))!;
      } finally {
        provider.destroy();
      }
    };

    const first = await LocalChain.start(options);
    const provider = new JsonRpcProvider(first.rpcUrl, undefined, { staticNetwork: true });
    await provider.send('evm_increaseTime', [86_400]);
    provider.destroy();
    const before = await latest(first);
    await first.stop();

    const second = await LocalChain.start(options);
    try {
      const after = await latest(second);
      expect(after.number).toBe(before.number + 1);
      expect(after.timestamp).toBeGreaterThan(before.timestamp);
    } finally {
      await second.stop();
    }
  });
});

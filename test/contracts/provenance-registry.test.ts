import { ethers } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHardhatChain, type HardhatChain } from '../support/hardhat-chain';
import { eventArgs, expectRevert } from './splitter-fixture';

describe('ProvenanceRegistry', () => {
  let chain: HardhatChain;
  let registry: ethers.Contract;
  let anchorer: ethers.Signer;

  beforeAll(async () => {
    chain = await createHardhatChain();
    anchorer = chain.signers[1];
    registry = await chain.deploy('ProvenanceRegistry', [
      await chain.signers[0].getAddress(),
      await anchorer.getAddress(),
    ]);
  });
  afterAll(async () => {
    await chain?.close();
  });

  const asAnchorer = () => registry.connect(anchorer) as ethers.Contract;

  it('anchors a root once, with the block time as its timestamp', async () => {
    const root = ethers.id('contributions-batch-1');
    expect(await registry.anchoredAt(root)).toBe(0n);
    const receipt = await (await asAnchorer().anchor(0, root, 42n, 'ipfs://batch-1')).wait();
    const block = await chain.provider.getBlock(receipt!.blockNumber);
    const args = eventArgs(receipt, registry, 'Anchored');
    expect([args.root, args.kind, args.count, args.uri, args.timestamp]).toEqual([
      root,
      0n,
      42n,
      'ipfs://batch-1',
      BigInt(block!.timestamp),
    ]);
    expect(await registry.anchoredAt(root)).toBe(BigInt(block!.timestamp));
    const stored = await registry.anchorOf(root);
    expect([stored.kind, stored.count]).toEqual([0n, 42n]);
  });

  it('refuses to anchor the same root again', async () => {
    const root = ethers.id('runs-batch-1');
    await (await asAnchorer().anchor(1, root, 3n, '')).wait();
    await expectRevert(asAnchorer().anchor(1, root, 3n, ''), registry.interface, 'ProvenanceRegistryAlreadyAnchored');
    await expectRevert(
      asAnchorer().anchor(0, root, 9n, 'other'),
      registry.interface,
      'ProvenanceRegistryAlreadyAnchored',
    );
  });

  it('refuses an unknown kind and a zero root', async () => {
    await expectRevert(
      asAnchorer().anchor(3, ethers.id('x'), 1n, ''), // 0 contributions, 1 runs, 2 takedowns
      registry.interface,
      'ProvenanceRegistryUnknownKind',
    );
    await expectRevert(
      asAnchorer().anchor(0, ethers.ZeroHash, 1n, ''),
      registry.interface,
      'ProvenanceRegistryZeroRoot',
    );
  });

  it('lets only the anchorer anchor', async () => {
    const stranger = registry.connect(chain.signers[5]) as ethers.Contract;
    await expectRevert(
      stranger.anchor(0, ethers.id('y'), 1n, ''),
      registry.interface,
      'AccessControlUnauthorizedAccount',
    );
  });
});

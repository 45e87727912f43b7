import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { describe, expect, it } from 'vitest';
import { initMerkle, isMerkleReady } from '@upstream/merkle';
import { contentRoot } from '@upstream/provenance';
import { allocate } from '@upstream/royalties';
import { allocationVectors } from '../vectors/vectors';

// The pure libs load together on this Node and give a known answer each: a broken barrel, a missing
// export or a runtime too old to run them fails here first, with a short message.
describe('smoke', () => {
  it('runs on the Node the project declares (>= 22.13)', () => {
    const [major, minor] = process.versions.node.split('.').map(Number);
    expect(major > 22 || (major === 22 && minor >= 13)).toBe(true);
  });

  it('loads the three pure libs and each gives a known answer', async () => {
    const [first] = allocationVectors;
    expect(allocate(first.input).byAccount).toEqual(first.expected.byAccount);
    await initMerkle();
    expect(isMerkleReady()).toBe(true);
    // One empty file "a" (SHA-256 of nothing): the content root is OpenZeppelin's root of that one leaf.
    const empty = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
    expect(await contentRoot([{ path: 'a', size: 0, sha256: empty }])).toBe(
      StandardMerkleTree.of([['a', 0n, '0x' + empty]], ['string', 'uint256', 'bytes32']).root,
    );
  });
});

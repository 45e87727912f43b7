import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { keccak256, toUtf8Bytes } from 'ethers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BATCH_ANCHOR_TYPES,
  buildBatchAnchorTree,
  buildRunEntriesTree,
  canonicalJson,
  licenseTerms,
  licenseTermsHash,
  RUN_ENTRY_TYPES,
  verifyBatchAnchorProof,
  verifyRunEntryProof,
} from '@upstream/provenance';

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => '0x' + Buffer.from(b).toString('hex'));

describe('training-run entries root', () => {
  it('equals StandardMerkleTree over (bytes32 datasetId, uint256 weight) with matching proofs', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.record({ datasetId: bytes32, weight: fc.bigInt({ min: 1n, max: (1n << 256n) - 1n }) }), {
          minLength: 1,
          maxLength: 60,
          selector: (e) => e.datasetId,
        }),
        async (entries) => {
          const tree = await buildRunEntriesTree(entries);
          const oz = StandardMerkleTree.of(
            entries.map((e) => [e.datasetId, e.weight]),
            [...RUN_ENTRY_TYPES],
          );
          expect(tree.root).toBe(oz.root);
          expect(tree.totalWeight).toBe(entries.reduce((s, e) => s + e.weight, 0n));
          entries.forEach((e, i) => expect(tree.proof(e.datasetId)).toEqual(oz.getProof(i)));
          const first = entries[0];
          expect(await verifyRunEntryProof(tree.root, first, tree.proof(first.datasetId))).toBe(true);
          expect(
            await verifyRunEntryProof(tree.root, { ...first, weight: first.weight + 1n }, tree.proof(first.datasetId)),
          ).toBe(false);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('refuses zero weights and repeated datasets, naming the entry', async () => {
    await expect(buildRunEntriesTree([{ datasetId: '0x' + '11'.repeat(32), weight: 0n }])).rejects.toMatchObject({
      field: 'entries[0].weight',
    });
    const id = '0x' + 'ab'.repeat(32);
    await expect(
      buildRunEntriesTree([
        { datasetId: id, weight: 1n },
        { datasetId: id.toUpperCase().replace('0X', '0x'), weight: 2n },
      ]),
    ).rejects.toMatchObject({
      field: 'entries[1].datasetId',
    });
  });

  it('builds a 200,000-entry root and proves an entry deep in it', async () => {
    // Speed is measured by bench:royalties, not asserted here. Mutation runs repeat this per mutant: a tenth.
    const n = process.env.UPSTREAM_MUTATION_RUN ? 20_000 : 200_000;
    const entries = Array.from({ length: n }, (_, i) => ({
      datasetId: '0x' + i.toString(16).padStart(64, '0'),
      weight: BigInt(i + 1),
    }));
    const tree = await buildRunEntriesTree(entries);
    const deep = entries[Math.floor(n * 0.6)];
    expect(await verifyRunEntryProof(tree.root, deep, tree.proof(deep.datasetId))).toBe(true);
    expect(
      await verifyRunEntryProof(tree.root, { ...deep, weight: deep.weight + 1n }, tree.proof(deep.datasetId)),
    ).toBe(false);
  });
});

describe('batch anchor root', () => {
  it('equals StandardMerkleTree over bytes32 leaves, with proofs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(bytes32, { minLength: 1, maxLength: 50 }), async (items) => {
        const tree = await buildBatchAnchorTree(items);
        const oz = StandardMerkleTree.of(
          items.map((i) => [i]),
          [...BATCH_ANCHOR_TYPES],
        );
        expect(tree.root).toBe(oz.root);
        items.forEach((item, i) => expect(tree.proof(item)).toEqual(oz.getProof(i)));
        expect(await verifyBatchAnchorProof(tree.root, items[0], tree.proof(items[0]))).toBe(true);
      }),
      { numRuns: 30 },
    );
  });
});

describe('license terms', () => {
  it('serializes with sorted keys and hashes the canonical JSON', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: 2n, y: undefined } })).toBe(
      '{"a":[true,null,"x"],"b":1,"c":{"z":"2"}}',
    );
    const terms = licenseTerms('open-training');
    expect(licenseTermsHash(terms)).toBe(keccak256(toUtf8Bytes(canonicalJson(terms))));
    const reordered = Object.fromEntries(Object.entries(terms).reverse());
    expect(licenseTermsHash(reordered)).toBe(licenseTermsHash(terms));
  });

  it('gives each template its own hash and refuses a paid template without a fee', () => {
    const paid = licenseTerms('paid-per-run', { token: '0x' + 'AB'.repeat(20), amount: 10n ** 18n });
    expect(paid.fee).toEqual({ kind: 'per-run', token: '0x' + 'ab'.repeat(20), amount: '1000000000000000000' });
    const hashes = new Set([
      licenseTermsHash(licenseTerms('open-training')),
      licenseTermsHash(licenseTerms('research-only')),
      licenseTermsHash(paid),
    ]);
    expect(hashes.size).toBe(3);
    expect(() => licenseTerms('paid-per-run', { token: '0x12', amount: 1n })).toThrow(
      expect.objectContaining({ field: 'fee.token' }),
    );
    expect(() => canonicalJson({ x: 1.5 })).toThrow(expect.objectContaining({ code: 'INVALID_FIELD' }));
  });
});

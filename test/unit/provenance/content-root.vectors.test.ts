import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildContentTree, contentRoot, verifyFileProof } from '@upstream/provenance';
import { contentRootVectors } from '../../vectors/vectors';

// Known roots and proofs (test/vectors/provenance.vectors.json, computed with OpenZeppelin's
// StandardMerkleTree) at the edge sizes: 1 leaf, 2, and odd counts.
describe('content roots: known answers at 1, 2, 3 and 5 files', () => {
  it.each(contentRootVectors.map((v) => [v.why, v] as const))('%s', async (_why, v) => {
    const tree = await buildContentTree(v.files);
    expect(tree.root).toBe(v.root);
    expect(tree.entries.map((e) => e.path)).toEqual(Object.keys(v.proofs));
    for (const file of v.files) {
      const proof = tree.proof(file.path);
      expect(proof).toEqual(v.proofs[file.path]);
      expect(await verifyFileProof(v.root, file, proof)).toBe(true);
      expect(await verifyFileProof(v.root, { ...file, size: file.size + 1n }, proof)).toBe(false);
    }
  });

  it('gives the known root whatever the order of the files and their separators', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .constantFrom(...contentRootVectors)
          .chain((v) =>
            fc.tuple(
              fc.constant(v),
              fc.shuffledSubarray(v.files, { minLength: v.files.length, maxLength: v.files.length }),
              fc.boolean(),
            ),
          ),
        async ([v, files, backslashes]) => {
          const spelled = files.map((f) => ({ ...f, path: backslashes ? f.path.replaceAll('/', '\\') : f.path }));
          expect(await contentRoot(spelled)).toBe(v.root);
        },
      ),
      { numRuns: 40 },
    );
  });
});

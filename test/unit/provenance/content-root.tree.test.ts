import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildContentTree,
  canonicalEntries,
  CONTENT_LEAF_TYPES,
  contentRoot,
  fileProof,
  normalizeEntryPath,
  ProvenanceError,
  verifyFileProof,
  type FileEntryInput,
} from '@upstream/provenance';

const segment = fc
  .stringMatching(/^[A-Za-z0-9_\-é漢😀 ]{1,12}$/u)
  .filter((s) => s !== '.' && s !== '..' && !s.includes('\\'));
const entryArb: fc.Arbitrary<FileEntryInput> = fc.record({
  path: fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('/')),
  size: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  sha256: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex')),
});
const datasetArb = fc.uniqueArray(entryArb, { minLength: 1, maxLength: 30, selector: (e) => e.path.normalize('NFC') });

describe('content root', () => {
  it('equals StandardMerkleTree over (string path, uint256 size, bytes32 sha256), proofs included', async () => {
    await fc.assert(
      fc.asyncProperty(datasetArb, async (inputs) => {
        const tree = await buildContentTree(inputs);
        const oz = StandardMerkleTree.of(
          tree.entries.map((e) => [e.path, e.size, '0x' + e.sha256]),
          [...CONTENT_LEAF_TYPES],
        );
        expect(tree.root).toBe(oz.root);
        tree.entries.forEach((e, i) => expect(tree.proof(e.path)).toEqual(oz.getProof(i)));
      }),
      { numRuns: 40 },
    );
  });

  it('does not depend on input order or path separators', async () => {
    await fc.assert(
      fc.asyncProperty(
        datasetArb.chain((d) =>
          fc.tuple(fc.constant(d), fc.shuffledSubarray(d, { minLength: d.length, maxLength: d.length })),
        ),
        async ([inputs, shuffled]) => {
          const windowsStyle = shuffled.map((e) => ({
            ...e,
            path: e.path.replace(/\//g, '\\'),
            sha256: '0x' + e.sha256.toUpperCase(),
          }));
          expect(await contentRoot(windowsStyle)).toBe(await contentRoot(inputs));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('proves each file and refuses a tampered entry', async () => {
    await fc.assert(
      fc.asyncProperty(datasetArb, fc.nat(), async (inputs, pick) => {
        const root = await contentRoot(inputs);
        const entry = inputs[pick % inputs.length];
        const proof = await fileProof(inputs, entry.path);
        expect(await verifyFileProof(root, entry, proof)).toBe(true);
        expect(await verifyFileProof(root, { ...entry, size: BigInt(entry.size) + 1n }, proof)).toBe(false);
        expect(await verifyFileProof(root, { ...entry, path: entry.path + 'x' }, proof)).toBe(false);
        const flipped = (entry.sha256[0] === '0' ? '1' : '0') + entry.sha256.slice(1);
        expect(await verifyFileProof(root, { ...entry, sha256: flipped }, proof)).toBe(false);
      }),
      { numRuns: 30 },
    );
  });

  it('uses the lone file as the whole tree of a single-file dataset', async () => {
    const entry = {
      path: 'data.csv',
      size: 3n,
      sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    };
    const tree = await buildContentTree([entry]);
    expect(tree.root).toBe(
      StandardMerkleTree.of([['data.csv', 3n, '0x' + entry.sha256]], [...CONTENT_LEAF_TYPES]).root,
    );
    expect(tree.proof('data.csv')).toEqual([]);
  });
});

describe('entry paths', () => {
  it('normalizes separators and Unicode to NFC', () => {
    expect(normalizeEntryPath('a\\b\\c.txt')).toBe('a/b/c.txt');
    expect(normalizeEntryPath('cafe\u0301.txt')).toBe('caf\u00e9.txt');
  });

  it.each([
    ['', 'empty'],
    ['/etc/passwd', 'absolute'],
    ['C:\\data\\x', 'drive letter'],
    ['a/../b', 'dot-dot'],
    ['./a', 'dot'],
    ['a//b', 'empty segment'],
    ['a/', 'trailing slash'],
    ['a\nb', 'control character'],
    ['x'.repeat(5000), 'too long'],
  ])('refuses %j (%s) with INVALID_PATH', (path) => {
    expect(() => normalizeEntryPath(path)).toThrow(expect.objectContaining({ code: 'INVALID_PATH', field: 'path' }));
  });

  it('refuses duplicates after normalization and empty datasets', () => {
    const sha256 = '00'.repeat(32);
    expect(() =>
      canonicalEntries([
        { path: 'a/b', size: 1n, sha256 },
        { path: 'a\\b', size: 2n, sha256 },
      ]),
    ).toThrow(expect.objectContaining({ code: 'DUPLICATE_PATH' }));
    expect(() =>
      canonicalEntries([
        { path: 'caf\u00e9', size: 1n, sha256 },
        { path: 'cafe\u0301', size: 1n, sha256 },
      ]),
    ).toThrow(expect.objectContaining({ code: 'DUPLICATE_PATH' }));
    expect(() => canonicalEntries([])).toThrow(expect.objectContaining({ code: 'EMPTY_DATASET' }));
    expect(() => canonicalEntries([{ path: 'a', size: -1n, sha256 }])).toThrow(ProvenanceError);
    expect(() => canonicalEntries([{ path: 'a', size: 1n, sha256: 'xyz' }])).toThrow(
      expect.objectContaining({ code: 'INVALID_ENTRY', field: 'sha256' }),
    );
  });
});

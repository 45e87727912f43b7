import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildMerkleTree,
  encodeLeaf,
  hashLeaves,
  initMerkle,
  MerkleError,
  standardLeafHash,
  standardTree,
  verifyProof,
  verifyStandardProof,
} from '@upstream/merkle';

const FIXED_TYPES = ['uint256', 'address', 'address', 'address', 'uint256'];
type FixedRow = [bigint, string, string, string, bigint];

const hex = (bytes: number) =>
  fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => '0x' + Buffer.from(b).toString('hex'));
const uint256 = fc.bigInt({ min: 0n, max: (1n << 256n) - 1n });
const fixedRow: fc.Arbitrary<FixedRow> = fc.tuple(
  uint256,
  hex(20),
  hex(20),
  hex(20),
  fc.oneof(uint256, fc.bigInt({ min: 0n, max: 1000n })),
);

function expectSameAsOpenZeppelin(types: string[], rows: unknown[][]): void {
  const oz = StandardMerkleTree.of(rows, types);
  const ours = buildMerkleTree(hashLeaves(types, rows as never));
  expect(ours.rootHex).toBe(oz.root);
  expect(ours.length).toBe(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const proof = ours.proofHex(i);
    expect(proof).toEqual(oz.getProof(i));
    expect(verifyProof(ours.root, ours.leafHash(i), proof)).toBe(true);
    expect(StandardMerkleTree.verify(oz.root, types, rows[i], proof)).toBe(true);
  }
}

describe('buildMerkleTree matches StandardMerkleTree', () => {
  beforeAll(() => initMerkle());

  for (const [size, runs] of [
    [1, 20],
    [2, 20],
    [3, 20],
    [7, 15],
    [100, 5],
    // Mutation runs repeat this per mutant: 100 leaves already take every path of the builder.
    ...(process.env.UPSTREAM_MUTATION_RUN ? [] : ([[1000, 2]] as const)),
  ] as const) {
    it(`gives the same root and proofs for ${size} random fixed-word leaves`, () => {
      fc.assert(
        fc.property(fc.array(fixedRow, { minLength: size, maxLength: size }), (rows) =>
          expectSameAsOpenZeppelin(FIXED_TYPES, rows),
        ),
        { numRuns: runs },
      );
    });
  }

  it('gives the same root and proofs for string leaves (AbiCoder path)', () => {
    const types = ['string', 'uint256', 'bytes32'];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ unit: 'grapheme', minLength: 1 }), uint256, hex(32)), {
          minLength: 1,
          maxLength: 40,
        }),
        (rows) => expectSameAsOpenZeppelin(types, rows),
      ),
      { numRuns: 20 },
    );
  });

  it('handles duplicate leaves like OpenZeppelin (stable order)', () => {
    const row: FixedRow = [1n, '0x' + '11'.repeat(20), '0x' + '22'.repeat(20), '0x' + '33'.repeat(20), 5n];
    const other: FixedRow = [2n, '0x' + '11'.repeat(20), '0x' + '22'.repeat(20), '0x' + '33'.repeat(20), 5n];
    expectSameAsOpenZeppelin(FIXED_TYPES, [row, other, row, row]);
  });

  it('uses the single leaf as the root with an empty proof', () => {
    const row: FixedRow = [31337n, '0x' + 'ab'.repeat(20), '0x' + 'cd'.repeat(20), '0x' + 'ef'.repeat(20), 10n ** 18n];
    const tree = buildMerkleTree(hashLeaves(FIXED_TYPES, [row]));
    expect(tree.root.equals(standardLeafHash(FIXED_TYPES, row))).toBe(true);
    expect(tree.proof(0)).toEqual([]);
    expect(tree.rootHex).toBe(StandardMerkleTree.of([row], FIXED_TYPES).root);
  });
});

describe('leaf encoding and lookups', () => {
  beforeAll(() => initMerkle());

  it('encodes fixed words exactly as ethers AbiCoder does', async () => {
    const { AbiCoder } = await import('ethers');
    fc.assert(
      fc.property(fixedRow, (row) => {
        expect('0x' + Buffer.from(encodeLeaf(FIXED_TYPES, row)).toString('hex')).toBe(
          AbiCoder.defaultAbiCoder().encode(FIXED_TYPES, row),
        );
      }),
    );
  });

  it('finds a value by its leaf hash and rejects a tampered proof', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => ['0x' + i.toString(16).padStart(64, '0')]);
    const tree = await standardTree(['bytes32'], rows);
    const leaf = standardLeafHash(['bytes32'], rows[17]);
    expect(tree.indexOfLeafHash(leaf)).toBe(17);
    expect(tree.indexOfLeafHash(Buffer.alloc(32))).toBe(-1);
    const proof = tree.proof(17);
    expect(verifyStandardProof(tree.root, ['bytes32'], rows[17], proof)).toBe(true);
    expect(verifyStandardProof(tree.root, ['bytes32'], rows[18], proof)).toBe(false);
    proof[0][0] ^= 1;
    expect(verifyStandardProof(tree.root, ['bytes32'], rows[17], proof)).toBe(false);
  });

  it('refuses out-of-range values, bad checksums and empty trees', () => {
    expect(() => encodeLeaf(['uint8'], [256n])).toThrow(MerkleError);
    // Our own refusal, not Node's RangeError from writeBigUInt64BE (whose text also says "out of range").
    expect(() => encodeLeaf(['uint256'], [-1n])).toThrow(expect.objectContaining({ code: 'INVALID_VALUE' }));
    expect(() => encodeLeaf(['address'], ['0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'])).not.toThrow();
    expect(() => encodeLeaf(['address'], ['0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed'])).not.toThrow();
    expect(() => encodeLeaf(['address'], ['0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'])).toThrow(/checksum/);
    expect(() => encodeLeaf(['address'], ['0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe'])).toThrow(/40 hex/);
    expect(() => buildMerkleTree(Buffer.alloc(0))).toThrow(expect.objectContaining({ code: 'EMPTY_TREE' }));
  });
});

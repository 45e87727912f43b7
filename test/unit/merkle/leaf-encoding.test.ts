import { SimpleMerkleTree, StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { AbiCoder } from 'ethers';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildMerkleTree,
  encodeFixedWords,
  encodeLeaf,
  hashPair,
  initMerkle,
  isFixedWordType,
  keccak256,
  MerkleError,
  processProof,
  standardTree,
  verifyProof,
  writeAddressWord,
  writeWord,
} from '@upstream/merkle';

const abi = (types: string[], values: unknown[]) => AbiCoder.defaultAbiCoder().encode(types, values);
const hex = (bytes: Uint8Array) => '0x' + Buffer.from(bytes).toString('hex');
const refused = (fn: () => unknown, code = 'INVALID_VALUE') => {
  expect(fn).toThrow(MerkleError);
  expect(fn).toThrow(expect.objectContaining({ code }));
};

beforeAll(() => initMerkle());

describe('leaf encoding: exactly abi.encode, or refused', () => {
  it('encodes uint boundaries, including both sides of the 64-bit fast path', () => {
    for (const v of [0n, 1n, (1n << 64n) - 1n, 1n << 64n, (1n << 128n) + 5n, (1n << 256n) - 1n])
      expect(hex(encodeLeaf(['uint256'], [v]))).toBe(abi(['uint256'], [v]));
    expect(hex(encodeLeaf(['uint8', 'uint'], [255n, 7n]))).toBe(abi(['uint8', 'uint256'], [255n, 7n]));
    expect(hex(encodeLeaf(['uint64'], [(1n << 64n) - 1n]))).toBe(abi(['uint64'], [(1n << 64n) - 1n]));
    expect(hex(encodeLeaf(['uint256'], [42]))).toBe(abi(['uint256'], [42n]));
    expect(hex(encodeLeaf(['uint256', 'uint256'], ['42', '0x2a']))).toBe(abi(['uint256', 'uint256'], [42n, 42n]));
    refused(() => encodeLeaf(['uint8'], [256n]));
    refused(() => encodeLeaf(['uint64'], [1n << 64n]));
    refused(() => encodeLeaf(['uint256'], [1n << 256n]));
    refused(() => encodeLeaf(['uint256'], [-1n]));
    refused(() => encodeLeaf(['uint256'], [-1]));
    refused(() => encodeLeaf(['uint256'], [2 ** 53]));
    refused(() => encodeLeaf(['uint256'], [1.5]));
    refused(() => encodeLeaf(['uint256'], ['12a']));
    refused(() => encodeLeaf(['uint256'], ['-1']));
    refused(() => encodeLeaf(['uint256'], [' 1']));
    refused(() => encodeLeaf(['uint256'], [true]));
  });

  it('encodes addresses left-padded and refuses anything but 0x + 40 hex digits (never cuts)', () => {
    const a = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';
    expect(hex(encodeLeaf(['address'], [a]))).toBe(abi(['address'], [a]));
    expect(hex(encodeLeaf(['address'], ['0X' + a.slice(2).toLowerCase()]))).toBe(abi(['address'], [a]));
    expect(hex(encodeLeaf(['address'], [a.toUpperCase().replace('0X', '0x')]))).toBe(abi(['address'], [a]));
    const bytes = Buffer.from(a.slice(2), 'hex');
    expect(hex(encodeLeaf(['address'], [bytes]))).toBe(abi(['address'], [a]));
    refused(() => encodeLeaf(['address'], [a + 'ed'])); // 42 hex digits: refused, not cut to 20 bytes
    refused(() => encodeLeaf(['address'], [a + 'e']));
    refused(() => encodeLeaf(['address'], [a.slice(0, 41)]));
    refused(() => encodeLeaf(['address'], ['1x' + a.slice(2)]));
    refused(() => encodeLeaf(['address'], ['00' + a.slice(2)]));
    refused(() => encodeLeaf(['address'], ['0y' + a.slice(2)]));
    refused(() => encodeLeaf(['address'], ['0x' + 'g'.repeat(40)]));
    refused(() => encodeLeaf(['address'], ['0x' + '1'.repeat(39) + 'z']));
    refused(() => encodeLeaf(['address'], ['0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'])); // bad EIP-55
    refused(() => encodeLeaf(['address'], [bytes.subarray(1)]));
    refused(() => encodeLeaf(['address'], [5n]));
    // The padding is written, not left over from a previous value in the buffer.
    const out = Buffer.alloc(32, 0xff);
    writeAddressWord(out, 0, a);
    expect(hex(out)).toBe(abi(['address'], [a]));
  });

  it('encodes bool and bytesN right-padded, and refuses wrong sizes and types', () => {
    expect(hex(encodeLeaf(['bool', 'bool'], [true, false]))).toBe(abi(['bool', 'bool'], [true, false]));
    expect(hex(encodeLeaf(['bytes4'], ['0xdeadbeef']))).toBe(abi(['bytes4'], ['0xdeadbeef']));
    expect(hex(encodeLeaf(['bytes1'], [Uint8Array.of(7)]))).toBe(abi(['bytes1'], ['0x07']));
    const word = '0x' + 'ab'.repeat(32);
    expect(hex(encodeLeaf(['bytes32'], [word]))).toBe(abi(['bytes32'], [word]));
    const out = Buffer.alloc(32, 0xff);
    writeWord(out, 0, 'bytes2', '0x1234');
    expect(hex(out)).toBe(abi(['bytes2'], ['0x1234']));
    refused(() => encodeLeaf(['bool'], [1]));
    refused(() => encodeLeaf(['bytes4'], ['0xdeadbe']));
    refused(() => encodeLeaf(['bytes4'], ['0xdeadbeef00']));
    refused(() => encodeLeaf(['bytes4'], ['deadbeef']));
    refused(() => encodeLeaf(['bytes4'], ['0xdeadbeeg']));
    refused(() => encodeLeaf(['bytes4'], [Uint8Array.of(1, 2, 3)]));
    refused(() => encodeLeaf(['bytes4'], [5n]));
    refused(() => encodeFixedWords(['uint256', 'uint256'], [1n]));
    refused(() => encodeFixedWords(['int256'], [1n]), 'UNSUPPORTED_TYPE');
  });

  it('knows which ABI types are one word', () => {
    for (const t of ['address', 'bool', 'uint', 'uint8', 'uint256', 'uint64', 'bytes1', 'bytes32'])
      expect([t, isFixedWordType(t)]).toEqual([t, true]);
    for (const t of [
      'string',
      'bytes',
      'uint7',
      'uint264',
      'uint0',
      'bytes0',
      'bytes33',
      'int256',
      'address[]',
      'xuint8',
      'uint8x',
      'bytes4x',
    ])
      expect([t, isFixedWordType(t)]).toEqual([t, false]);
  });

  it('goes through the AbiCoder for dynamic types, same bytes as ethers', () => {
    expect(hex(encodeLeaf(['string', 'uint256'], ['héllo', 3n]))).toBe(abi(['string', 'uint256'], ['héllo', 3n]));
  });
});

describe('trees: edge sizes and ties, against OpenZeppelin', () => {
  const word = (bytes: number[]) => Buffer.from(bytes.concat(Array<number>(32 - bytes.length).fill(0)));

  it('orders leaves sharing a 48-bit prefix by the rest of the hash (SimpleMerkleTree agrees)', () => {
    // Same first 6 bytes; they differ only after it, in either direction of input order.
    const prefix = [9, 9, 9, 9, 9, 9];
    const cases = [
      [word([...prefix, 2]), word([...prefix, 1]), word([1])],
      [word([...prefix, 1]), word([...prefix, 2]), word([0xff])],
      [word([...prefix, 0, 0, 5]), word([...prefix, 0, 0, 4]), word([...prefix, 0, 0, 4]), word([...prefix, 0, 0, 3])],
    ];
    for (const leaves of cases) {
      const tree = buildMerkleTree(Buffer.concat(leaves));
      const oz = SimpleMerkleTree.of(leaves);
      expect(tree.rootHex).toBe(oz.root);
      leaves.forEach((_, i) => expect(tree.proofHex(i)).toEqual(oz.getProof(i)));
    }
  });

  it('matches StandardMerkleTree for 1, 2, 3, 4 and 5 leaves, with every proof verifying', async () => {
    for (let n = 1; n <= 5; n++) {
      const rows = Array.from({ length: n }, (_, i) => [BigInt(i * 7 + 1)]);
      const tree = await standardTree(['uint256'], rows);
      const oz = StandardMerkleTree.of(rows, ['uint256']);
      expect(tree.rootHex).toBe(oz.root);
      expect(tree.length).toBe(n);
      for (let i = 0; i < n; i++) {
        expect(tree.proofHex(i)).toEqual(oz.getProof(i));
        expect(tree.proof(i).map(hex)).toEqual(oz.getProof(i));
        expect(tree.treeIndex(i)).toBe(oz.dump().values[i].treeIndex);
        expect(verifyProof(tree.root, tree.leafHash(i), tree.proof(i))).toBe(true);
        expect(tree.indexOfLeafHash(tree.leafHash(i))).toBe(i);
      }
      expect(tree.indexOfLeafHash(Buffer.alloc(31))).toBe(-1);
      expect(tree.indexOfLeafHash(Buffer.alloc(32, 0xff))).toBe(-1);
      expect(tree.indexOfLeafHash(Buffer.alloc(32))).toBe(-1);
    }
  });

  it('refuses leaf indices outside the tree and malformed leaf buffers', async () => {
    const tree = await standardTree(['uint256'], [[1n], [2n]]);
    for (const bad of [-1, 2, 0.5, Number.NaN]) refused(() => tree.proof(bad), 'INDEX_OUT_OF_RANGE');
    refused(() => buildMerkleTree(Buffer.alloc(33)), 'INVALID_NODE');
    refused(() => buildMerkleTree(new Uint8Array(0)), 'EMPTY_TREE');
    // A plain Uint8Array view (not a Buffer) at an offset is read where it is.
    const backing = new Uint8Array(96);
    backing.set(word([5]), 32);
    backing.set(word([6]), 64);
    expect(buildMerkleTree(backing.subarray(32)).rootHex).toBe(SimpleMerkleTree.of([word([5]), word([6])]).root);
  });

  it('hashes pairs in sorted order and checks proofs the way MerkleProof does', () => {
    const a = word([1]);
    const b = word([2]);
    expect(hashPair(a, b)).toEqual(keccak256(Buffer.concat([a, b])));
    expect(hashPair(b, a)).toEqual(keccak256(Buffer.concat([a, b])));
    expect(hashPair(a, a)).toEqual(keccak256(Buffer.concat([a, a])));
    expect(processProof(a, [b])).toEqual(hashPair(a, b));
    expect(processProof(hex(a), [])).toEqual(a);
    expect(verifyProof(hashPair(a, b), a, [hex(b)])).toBe(true);
    expect(verifyProof(hashPair(a, b), a, [a])).toBe(false);
    refused(() => processProof('0x1234', []), 'INVALID_NODE');
    refused(() => processProof('nothex', []), 'INVALID_NODE');
    refused(() => processProof(a, [Buffer.alloc(31)]), 'INVALID_NODE');
    refused(() => verifyProof('0x12', a, []), 'INVALID_NODE');
  });

  it('matches StandardMerkleTree for random odd and even sizes of mixed-type rows', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }), { minLength: 1, maxLength: 17 }),
        (values) => {
          const rows = values.map((v, i) => [v, i % 2 === 0, '0x' + (i + 1).toString(16).padStart(8, '0')]);
          const types = ['uint256', 'bool', 'bytes4'];
          const oz = StandardMerkleTree.of(rows, types);
          const ours = buildMerkleTree(
            Buffer.concat(rows.map((r) => oz.leafHash(r)).map((h) => Buffer.from(h.slice(2), 'hex'))),
          );
          expect(ours.rootHex).toBe(oz.root);
        },
      ),
      { numRuns: 40 },
    );
  });
});

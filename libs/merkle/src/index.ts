// @upstream/merkle — StandardMerkleTree-compatible Merkle trees built fast on raw bytes.
// Owns keccak (hash-wasm), ABI leaf encoding, the flat-buffer tree builder and proof checks.
// Keccak, the tree builder and proof checks: the narrow entry `@upstream/merkle/tree` (no ethers), plus ABI leaves.
export * from './tree';
export {
  assertChecksum,
  encodeFixedWords,
  encodeLeaf,
  hashLeaves,
  isFixedWordType,
  standardLeafHash,
  writeAddressWord,
  writeFixedBytesWord,
  writeUintWord,
  writeWord,
  wordWriter,
  type LeafValue,
  type WordWriter,
} from './leaf.encoder';
export { standardTree, verifyStandardProof } from './standard-tree.builder';

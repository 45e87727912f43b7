// @upstream/merkle — StandardMerkleTree-compatible Merkle trees built fast on raw bytes.
// Owns keccak (hash-wasm), ABI leaf encoding, the flat-buffer tree builder and proof checks.
export { initMerkle, isMerkleReady, keccak256, keccak256Into, leafHash, leafHashInto, hashPair } from './keccak.hasher';
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
export { buildMerkleTree, MerkleTree, toHex32 } from './merkle-tree.builder';
export { processProof, verifyProof, type NodeLike } from './merkle-proof.verifier';
export { standardTree, verifyStandardProof } from './standard-tree.builder';
export { MerkleError, type MerkleErrorCode } from './merkle.errors';

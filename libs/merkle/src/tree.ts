// @upstream/merkle/tree — the tree builder, keccak and proof checks without ABI leaf encoding, so
// without ethers: what a worker thread needs for content trees (ethers alone costs a thread ~27 MiB of RSS).
export { initMerkle, isMerkleReady, keccak256, keccak256Into, leafHash, leafHashInto, hashPair } from './keccak.hasher';
export { buildMerkleTree, MerkleTree, toHex32 } from './merkle-tree.builder';
export { processProof, verifyProof, type NodeLike } from './merkle-proof.verifier';
export { MerkleError, type MerkleErrorCode } from './merkle.errors';

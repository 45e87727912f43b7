import { hashLeaves, standardLeafHash, type LeafValue } from './leaf.encoder';
import { buildMerkleTree, MerkleTree } from './merkle-tree.builder';
import { initMerkle } from './keccak.hasher';
import { verifyProof } from './merkle-proof.verifier';

/**
 * `StandardMerkleTree.of(values, types)` with the fast builder: same root, same proofs.
 * Async only because it makes sure the WASM keccak is ready.
 */
export async function standardTree(
  types: readonly string[],
  values: readonly (readonly LeafValue[])[],
): Promise<MerkleTree> {
  await initMerkle();
  return buildMerkleTree(hashLeaves(types, values));
}

/** `StandardMerkleTree.verify(root, types, value, proof)`. Requires `initMerkle()`. */
export function verifyStandardProof(
  root: Uint8Array | string,
  types: readonly string[],
  value: readonly LeafValue[],
  proof: readonly (Uint8Array | string)[],
): boolean {
  return verifyProof(root, standardLeafHash(types, value), proof);
}

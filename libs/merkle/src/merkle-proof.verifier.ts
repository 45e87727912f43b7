import { getBytes } from 'ethers';
import { hashPair } from './keccak.hasher';
import { MerkleError } from './merkle.errors';

export type NodeLike = Uint8Array | string;

function toNode(value: NodeLike, what: string): Uint8Array {
  const bytes = typeof value === 'string' ? getBytesSafe(value, what) : value;
  if (bytes.length !== 32) throw new MerkleError('INVALID_NODE', `${what} must be 32 bytes`);
  return bytes;
}

function getBytesSafe(value: string, what: string): Uint8Array {
  try {
    return getBytes(value);
  } catch {
    throw new MerkleError('INVALID_NODE', `${what} is not 0x-prefixed hex`);
  }
}

/** Root reached from `leafHash` through `proof` with sorted-pair hashing (OZ `MerkleProof.processProof`). */
export function processProof(leafHash: NodeLike, proof: readonly NodeLike[]): Buffer {
  let node: Uint8Array = toNode(leafHash, 'leaf hash');
  for (let i = 0; i < proof.length; i++) node = hashPair(node, toNode(proof[i], `proof[${i}]`));
  return Buffer.from(node);
}

/** OZ `MerkleProof.verify`: true when `proof` links `leafHash` to `root`. Requires `initMerkle()`. */
export function verifyProof(root: NodeLike, leafHash: NodeLike, proof: readonly NodeLike[]): boolean {
  return Buffer.compare(processProof(leafHash, proof), toNode(root, 'root')) === 0;
}

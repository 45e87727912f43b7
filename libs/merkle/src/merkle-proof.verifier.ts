import { hashPair } from './keccak.hasher';
import { MerkleError } from './merkle.errors';

export type NodeLike = Uint8Array | string;

function toNode(value: NodeLike, what: string): Uint8Array {
  const bytes = typeof value === 'string' ? getBytesSafe(value, what) : value;
  if (bytes.length !== 32) throw new MerkleError('INVALID_NODE', `${what} must be 32 bytes`);
  return bytes;
}

const HEX_BYTES = /^0x(?:[0-9a-fA-F]{2})*$/;

/** `0x` and pairs of hex digits as bytes (ethers' `getBytes` for strings, without loading ethers: a worker thread checks proofs). */
function getBytesSafe(value: string, what: string): Uint8Array {
  if (!HEX_BYTES.test(value)) throw new MerkleError('INVALID_NODE', `${what} is not 0x-prefixed hex`);
  const bytes = new Uint8Array((value.length - 2) / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(value.slice(2 + 2 * i, 4 + 2 * i), 16);
  return bytes;
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

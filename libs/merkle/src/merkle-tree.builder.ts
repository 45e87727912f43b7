import { keccakHasher } from './keccak.hasher';
import { MerkleError } from './merkle.errors';

/**
 * A StandardMerkleTree-compatible tree held as one flat Buffer of 32-byte nodes in
 * OpenZeppelin's layout: node i has children 2i+1 and 2i+2, the root is node 0, and the
 * leaves sorted ascending by hash sit at the end in reverse (sorted leaf k = node 2n-2-k).
 * So roots and proofs equal `StandardMerkleTree.of(...)` / `getProof(...)` byte for byte.
 */
export class MerkleTree {
  /** @param nodes (2n-1)*32 bytes  @param treeIndexOf value index → node index */
  constructor(
    readonly nodes: Buffer,
    private readonly treeIndexOf: Uint32Array,
  ) {}

  /** Number of leaves (values). */
  get length(): number {
    return this.treeIndexOf.length;
  }

  get root(): Buffer {
    return this.nodes.subarray(0, 32);
  }

  get rootHex(): string {
    return toHex32(this.nodes, 0);
  }

  /** Node index (OpenZeppelin `treeIndex`) of the value at `valueIndex` (input order). */
  treeIndex(valueIndex: number): number {
    this.checkIndex(valueIndex);
    return this.treeIndexOf[valueIndex];
  }

  leafHash(valueIndex: number): Buffer {
    const t = this.treeIndex(valueIndex);
    return this.nodes.subarray(t * 32, t * 32 + 32);
  }

  /**
   * Value index of the leaf with this hash, by binary search over the sorted leaves,
   * or -1. With duplicate leaves it returns one of them.
   */
  indexOfLeafHash(hash: Uint8Array): number {
    if (hash.length !== 32) return -1;
    const n = this.length;
    let lo = 0;
    let hi = n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const node = 2 * n - 2 - mid;
      const c = this.nodes.compare(hash, 0, 32, node * 32, node * 32 + 32);
      if (c === 0) return this.valueIndexOfNode(node);
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Sibling path from the leaf to the root, as 32-byte Buffers (same order as OpenZeppelin). */
  proof(valueIndex: number): Buffer[] {
    let t = this.treeIndex(valueIndex);
    const proof: Buffer[] = [];
    while (t > 0) {
      const s = t % 2 === 1 ? t + 1 : t - 1;
      proof.push(Buffer.from(this.nodes.subarray(s * 32, s * 32 + 32)));
      t = (t - 1) >> 1;
    }
    return proof;
  }

  /** Same as `proof` but 0x-hex strings, as `StandardMerkleTree.getProof` returns. */
  proofHex(valueIndex: number): string[] {
    let t = this.treeIndex(valueIndex);
    const proof: string[] = [];
    while (t > 0) {
      const s = t % 2 === 1 ? t + 1 : t - 1;
      proof.push(toHex32(this.nodes, s * 32));
      t = (t - 1) >> 1;
    }
    return proof;
  }

  private valueIndexOfNode(node: number): number {
    // Only used on lookups: a linear scan would be O(n), so build the inverse once.
    this.inverse ??= invert(this.treeIndexOf, this.nodes.length / 32);
    return this.inverse[node];
  }

  private inverse: Int32Array | undefined;

  private checkIndex(valueIndex: number): void {
    if (!Number.isInteger(valueIndex) || valueIndex < 0 || valueIndex >= this.length) {
      throw new MerkleError('INDEX_OUT_OF_RANGE', `leaf index ${valueIndex} is outside 0..${this.length - 1}`);
    }
  }
}

function invert(treeIndexOf: Uint32Array, nodeCount: number): Int32Array {
  const inv = new Int32Array(nodeCount).fill(-1);
  for (let v = 0; v < treeIndexOf.length; v++) inv[treeIndexOf[v]] = v;
  return inv;
}

export function toHex32(buf: Buffer, offset: number): string {
  return '0x' + buf.toString('hex', offset, offset + 32);
}

/**
 * Builds the tree from leaf hashes given in value order as one flat Buffer (leaf i at
 * bytes i*32..i*32+31). Sorting is by hash, stable on ties, as OpenZeppelin sorts.
 * Requires `await initMerkle()` first.
 */
export function buildMerkleTree(leafHashes: Uint8Array): MerkleTree {
  if (leafHashes.length === 0) throw new MerkleError('EMPTY_TREE', 'a Merkle tree needs at least one leaf');
  if (leafHashes.length % 32 !== 0) throw new MerkleError('INVALID_NODE', 'leaf hashes must be a multiple of 32 bytes');
  const leaves = Buffer.isBuffer(leafHashes)
    ? leafHashes
    : Buffer.from(leafHashes.buffer, leafHashes.byteOffset, leafHashes.byteLength);
  const n = leaves.length / 32;
  const order = sortedOrder(leaves, n);
  const nodeCount = 2 * n - 1;
  const nodes = Buffer.allocUnsafe(nodeCount * 32);
  const treeIndexOf = new Uint32Array(n);
  for (let k = 0; k < n; k++) {
    const v = order[k];
    const t = nodeCount - 1 - k;
    leaves.copy(nodes, t * 32, v * 32, v * 32 + 32);
    treeIndexOf[v] = t;
  }
  const h = keccakHasher();
  for (let i = n - 2; i >= 0; i--) {
    const l = (2 * i + 1) * 32;
    const r = l + 32;
    h.init();
    if (nodes.compare(nodes, r, r + 32, l, l + 32) <= 0) {
      // Left ≤ right: the pair is already contiguous and in order.
      h.update(nodes.subarray(l, r + 32));
    } else {
      h.update(nodes.subarray(r, r + 32));
      h.update(nodes.subarray(l, l + 32));
    }
    nodes.set(h.digest('binary'), i * 32);
  }
  return new MerkleTree(nodes, treeIndexOf);
}

/** Value indices in ascending leaf-hash order; ties keep input order (stable, like Array.sort). */
function sortedOrder(leaves: Buffer, n: number): Uint32Array {
  // A 48-bit prefix as a double decides almost every comparison without touching the Buffer.
  const prefix = new Float64Array(n);
  for (let i = 0; i < n; i++) prefix[i] = leaves.readUIntBE(i * 32, 6);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => {
    const d = prefix[a] - prefix[b];
    if (d !== 0) return d;
    const c = leaves.compare(leaves, a * 32 + 6, a * 32 + 32, b * 32 + 6, b * 32 + 32);
    // compare() is "target vs source": target = a's bytes here, so the sign is reversed.
    return c !== 0 ? -c : a - b;
  });
  return order;
}

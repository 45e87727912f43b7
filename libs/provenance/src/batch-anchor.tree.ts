import {
  buildMerkleTree,
  initMerkle,
  leafHashInto,
  MerkleTree,
  verifyProof,
  writeFixedBytesWord,
} from '@upstream/merkle';
import { ProvenanceError } from './provenance.errors';

/** ABI types of a batch-anchor leaf: one bytes32 (an EIP-712 digest or a content root). */
export const BATCH_ANCHOR_TYPES = ['bytes32'] as const;

export class BatchAnchorTree {
  constructor(
    /** Lowercased items in input order. */
    readonly items: readonly string[],
    readonly tree: MerkleTree,
  ) {}

  get root(): string {
    return this.tree.rootHex;
  }

  proof(item: string): string[] {
    const i = this.items.indexOf(item.toLowerCase());
    if (i < 0) throw new ProvenanceError('ENTRY_NOT_FOUND', `${item} is not in this batch`, 'item');
    return this.tree.proofHex(i);
  }
}

/** The root posted to ProvenanceRegistry for a batch; refuses empty batches and duplicates. */
export async function buildBatchAnchorTree(items: readonly string[]): Promise<BatchAnchorTree> {
  await initMerkle();
  if (items.length === 0) throw new ProvenanceError('EMPTY_DATASET', 'a batch needs at least one item', 'items');
  const lower = items.map((item, i) => {
    if (typeof item !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(item))
      throw new ProvenanceError('INVALID_FIELD', 'must be 0x followed by 64 hex digits', `items[${i}]`);
    return item.toLowerCase();
  });
  if (new Set(lower).size !== lower.length)
    throw new ProvenanceError('INVALID_FIELD', 'an item appears twice', 'items');
  const leaves = Buffer.allocUnsafe(lower.length * 32);
  const word = Buffer.allocUnsafe(32);
  lower.forEach((item, i) => {
    writeFixedBytesWord(word, 0, item);
    leafHashInto(word, leaves, i * 32);
  });
  return new BatchAnchorTree(lower, buildMerkleTree(leaves));
}

export async function verifyBatchAnchorProof(root: string, item: string, proof: readonly string[]): Promise<boolean> {
  await initMerkle();
  const word = Buffer.allocUnsafe(32);
  try {
    writeFixedBytesWord(word, 0, item);
  } catch {
    return false;
  }
  const leaf = Buffer.allocUnsafe(32);
  leafHashInto(word, leaf, 0);
  return verifyProof(root, leaf, proof);
}

import {
  buildMerkleTree,
  initMerkle,
  leafHashInto,
  MerkleTree,
  verifyProof,
  writeFixedBytesWord,
  writeUintWord,
} from '@upstream/merkle';
import { ProvenanceError } from './provenance.errors';

/** ABI types of a training-run entry leaf: abi.encode(bytes32 datasetId, uint256 weight). */
export const RUN_ENTRY_TYPES = ['bytes32', 'uint256'] as const;

export interface RunEntry {
  /** The dataset's content root. */
  datasetId: string;
  /** Usage weight (tokens, bytes or samples), > 0. */
  weight: bigint;
}

const BYTES32_RE = /^0x[0-9a-fA-F]{64}$/;

export class RunEntriesTree {
  private index: Map<string, number> | undefined;

  constructor(
    readonly entries: readonly RunEntry[],
    readonly tree: MerkleTree,
    readonly totalWeight: bigint,
  ) {}

  get root(): string {
    return this.tree.rootHex;
  }

  /** Proof of the entry for `datasetId`; 0x-hex siblings. */
  proof(datasetId: string): string[] {
    this.index ??= new Map(this.entries.map((e, i) => [e.datasetId, i]));
    const i = this.index.get(datasetId.toLowerCase());
    if (i === undefined)
      throw new ProvenanceError('ENTRY_NOT_FOUND', `dataset ${datasetId} is not in this run`, 'datasetId');
    return this.tree.proofHex(i);
  }
}

/**
 * The run manifest's entries tree, a StandardMerkleTree over RUN_ENTRY_TYPES. Refuses
 * malformed ids, zero or negative weights and a dataset listed twice (field-named errors).
 * Entries keep input order (lowercased ids); the root does not depend on that order.
 */
export async function buildRunEntriesTree(input: readonly RunEntry[]): Promise<RunEntriesTree> {
  await initMerkle();
  if (input.length === 0)
    throw new ProvenanceError('EMPTY_DATASET', 'a training run needs at least one entry', 'entries');
  const seen = new Set<string>();
  // Stryker disable next-line ArrayDeclaration: pre-sizing only; every slot is written below.
  const entries: RunEntry[] = new Array<RunEntry>(input.length);
  const leaves = Buffer.allocUnsafe(input.length * 32);
  const scratch = Buffer.allocUnsafe(64);
  let totalWeight = 0n;
  for (let i = 0; i < input.length; i++) {
    const { datasetId, weight } = input[i];
    if (typeof datasetId !== 'string' || !BYTES32_RE.test(datasetId))
      throw new ProvenanceError('INVALID_FIELD', 'must be 0x followed by 64 hex digits', `entries[${i}].datasetId`);
    if (typeof weight !== 'bigint' || weight <= 0n || weight >> 256n !== 0n)
      throw new ProvenanceError('INVALID_FIELD', 'must be a positive uint256', `entries[${i}].weight`);
    const id = datasetId.toLowerCase();
    if (seen.has(id))
      throw new ProvenanceError('INVALID_FIELD', `dataset ${id} is listed twice`, `entries[${i}].datasetId`);
    seen.add(id);
    entries[i] = { datasetId: id, weight };
    totalWeight += weight;
    writeFixedBytesWord(scratch, 0, id);
    writeUintWord(scratch, 32, weight);
    leafHashInto(scratch, leaves, i * 32);
  }
  return new RunEntriesTree(entries, buildMerkleTree(leaves), totalWeight);
}

/** True when `entry` is in the run whose entries root is `root`. */
export async function verifyRunEntryProof(root: string, entry: RunEntry, proof: readonly string[]): Promise<boolean> {
  await initMerkle();
  const scratch = Buffer.allocUnsafe(64);
  try {
    writeFixedBytesWord(scratch, 0, entry.datasetId);
    writeUintWord(scratch, 32, entry.weight);
  } catch {
    return false;
  }
  const leaf = Buffer.allocUnsafe(32);
  leafHashInto(scratch, leaf, 0);
  return verifyProof(root, leaf, proof);
}

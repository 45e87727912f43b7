import { buildMerkleTree, initMerkle, leafHashInto, MerkleTree, verifyProof } from '@upstream/merkle/tree';
import {
  canonicalEntries,
  normalizeEntryPath,
  normalizeFileEntry,
  type FileEntry,
  type FileEntryInput,
} from './file-entry.normalizer';
import { ProvenanceError } from './provenance.errors';

/** ABI types of a content-root leaf: abi.encode(string path, uint256 size, bytes32 sha256). */
export const CONTENT_LEAF_TYPES = ['string', 'uint256', 'bytes32'] as const;

/**
 * abi.encode(string path, uint256 size, bytes32 sha256) by hand: head (offset 0x60, size,
 * digest), then the string's length word and its UTF-8 bytes zero-padded to 32.
 */
export function encodeContentLeaf(entry: FileEntry): Buffer {
  return encodeContentLeafInto(entry, Buffer.alloc(0));
}

/** `encodeContentLeaf` written into `scratch` when it is long enough (a view of it), or into a new Buffer. */
function encodeContentLeafInto(entry: FileEntry, scratch: Buffer): Buffer {
  const pathBytes = Buffer.byteLength(entry.path, 'utf8');
  const length = 128 + Math.ceil(pathBytes / 32) * 32;
  const out = length <= scratch.length ? scratch.subarray(0, length) : Buffer.alloc(length);
  out.fill(0);
  out.writeUInt8(0x60, 31);
  writeU256(out, 32, entry.size);
  out.write(entry.sha256, 64, 32, 'hex');
  writeU256(out, 96, BigInt(pathBytes));
  out.write(entry.path, 128, 'utf8');
  return out;
}

function writeU256(out: Buffer, offset: number, value: bigint): void {
  out.writeBigUInt64BE(value >> 192n, offset);
  out.writeBigUInt64BE((value >> 128n) & 0xffffffffffffffffn, offset + 8);
  out.writeBigUInt64BE((value >> 64n) & 0xffffffffffffffffn, offset + 16);
  out.writeBigUInt64BE(value & 0xffffffffffffffffn, offset + 24);
}

/** StandardMerkleTree leaf hash of one entry. Requires `initMerkle()`. */
export function contentLeafHash(entry: FileEntry): Buffer {
  const out = Buffer.allocUnsafe(32);
  leafHashInto(encodeContentLeaf(entry), out, 0);
  return out;
}

export class ContentTree {
  private byPath: Map<string, number> | undefined;

  constructor(
    /** Canonical entries, sorted by path. */
    readonly entries: readonly FileEntry[],
    readonly tree: MerkleTree,
  ) {}

  /** 0x-prefixed content root: the dataset's id. */
  get root(): string {
    return this.tree.rootHex;
  }

  /** Proof that the file at `path` (any separators) is in the dataset; 0x-hex siblings. */
  proof(path: string): string[] {
    this.byPath ??= new Map(this.entries.map((e, i) => [e.path, i]));
    const i = this.byPath.get(normalizeEntryPath(path));
    if (i === undefined)
      throw new ProvenanceError('ENTRY_NOT_FOUND', `no file ${JSON.stringify(path)} in this dataset`, 'path');
    return this.tree.proofHex(i);
  }
}

/**
 * The dataset's content tree: a StandardMerkleTree over CONTENT_LEAF_TYPES. The same
 * files give the same root whatever their order or path separators.
 */
export async function buildContentTree(inputs: readonly FileEntryInput[]): Promise<ContentTree> {
  return contentTreeOfCanonical(canonicalEntries(inputs));
}

/** The content tree of entries already canonical (`canonicalEntries`: normalized, sorted, no path twice). */
export async function contentTreeOfCanonical(entries: readonly FileEntry[]): Promise<ContentTree> {
  await initMerkle();
  const leaves = Buffer.allocUnsafe(entries.length * 32);
  // One buffer for every leaf's encoding (paths are at most 4096 bytes): no 100,000 short-lived Buffers.
  const scratch = Buffer.alloc(128 + 4096);
  entries.forEach((e, i) => leafHashInto(encodeContentLeafInto(e, scratch), leaves, i * 32));
  return new ContentTree(entries, buildMerkleTree(leaves));
}

export async function contentRoot(inputs: readonly FileEntryInput[]): Promise<string> {
  return (await buildContentTree(inputs)).root;
}

export async function fileProof(inputs: readonly FileEntryInput[], path: string): Promise<string[]> {
  return (await buildContentTree(inputs)).proof(path);
}

/** True when `entry` (normalized first) is a file of the dataset with content root `root`. */
export async function verifyFileProof(root: string, entry: FileEntryInput, proof: readonly string[]): Promise<boolean> {
  await initMerkle();
  let leaf: Buffer;
  try {
    leaf = contentLeafHash(normalizeFileEntry(entry));
    return verifyProof(root, leaf, proof);
  } catch (error) {
    if (error instanceof ProvenanceError || (error instanceof Error && error.name === 'MerkleError')) return false;
    throw error;
  }
}

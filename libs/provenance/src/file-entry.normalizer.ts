import { ProvenanceError } from './provenance.errors';

/** One file of a dataset, canonical: POSIX relative NFC path, exact size, lowercase hex SHA-256. */
export interface FileEntry {
  path: string;
  size: bigint;
  /** 64 lowercase hex digits, no 0x: what `sha256sum` prints. */
  sha256: string;
}

/** What callers may hand in: any separators, number sizes, 0x/uppercase digests. */
export interface FileEntryInput {
  path: string;
  size: bigint | number | string;
  sha256: string;
}

const MAX_PATH_BYTES = 4096;
const SHA256_RE = /^(0x)?[0-9a-fA-F]{64}$/;
// C0 controls and DEL: invisible, and a newline would break line-based manifests.
function hasControlCharacter(path: string): boolean {
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}
const DRIVE_RE = /^[A-Za-z]:(\/|$)/;

/**
 * Canonical entry path: `\` → `/`, NFC, relative, no empty/`.`/`..` segments, no control
 * characters, ≤ 4096 UTF-8 bytes. Refuses (INVALID_PATH) instead of guessing.
 */
export function normalizeEntryPath(input: string): string {
  if (typeof input !== 'string' || input.length === 0) throw invalidPath(String(input), 'is empty');
  const path = input.replace(/\\/g, '/').normalize('NFC');
  if (hasControlCharacter(path)) throw invalidPath(input, 'contains a control character');
  if (path.startsWith('/') || DRIVE_RE.test(path)) throw invalidPath(input, 'must be relative');
  for (const segment of path.split('/')) {
    if (segment === '') throw invalidPath(input, 'has an empty segment (leading, trailing or doubled separator)');
    if (segment === '.' || segment === '..') throw invalidPath(input, `has a "${segment}" segment`);
  }
  if (Buffer.byteLength(path, 'utf8') > MAX_PATH_BYTES)
    throw invalidPath(input, `is longer than ${MAX_PATH_BYTES} bytes`);
  return path;
}

function invalidPath(path: string, reason: string): ProvenanceError {
  return new ProvenanceError('INVALID_PATH', `path ${JSON.stringify(path)} ${reason}`, 'path');
}

export function normalizeFileEntry(input: FileEntryInput): FileEntry {
  const path = normalizeEntryPath(input.path);
  let size: bigint;
  try {
    size = BigInt(input.size);
  } catch {
    throw new ProvenanceError('INVALID_ENTRY', `size of ${path} is not an integer`, 'size');
  }
  if (size < 0n || size >> 64n !== 0n)
    throw new ProvenanceError('INVALID_ENTRY', `size of ${path} must be 0..2^64-1`, 'size');
  if (typeof input.sha256 !== 'string' || !SHA256_RE.test(input.sha256)) {
    throw new ProvenanceError('INVALID_ENTRY', `sha256 of ${path} must be 64 hex digits`, 'sha256');
  }
  return { path, size, sha256: input.sha256.replace(/^0x/, '').toLowerCase() };
}

/** Byte order of UTF-8 (= Unicode code point order), not JS's UTF-16 order. */
export function comparePaths(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Normalizes every entry and sorts by path (UTF-8 byte order). Refuses an empty list
 * (EMPTY_DATASET) and two entries that normalize to the same path (DUPLICATE_PATH).
 */
export function canonicalEntries(inputs: readonly FileEntryInput[]): FileEntry[] {
  if (inputs.length === 0) throw new ProvenanceError('EMPTY_DATASET', 'a dataset needs at least one file', 'entries');
  const entries = inputs.map(normalizeFileEntry);
  const keyed = entries.map((e) => ({ e, key: Buffer.from(e.path, 'utf8') }));
  keyed.sort((a, b) => Buffer.compare(a.key, b.key));
  for (let i = 1; i < keyed.length; i++) {
    if (keyed[i]!.e.path === keyed[i - 1]!.e.path) {
      throw new ProvenanceError(
        'DUPLICATE_PATH',
        `two files have the path ${JSON.stringify(keyed[i]!.e.path)}`,
        'path',
      );
    }
  }
  return keyed.map((k) => k.e);
}

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
const DRIVE_RE = /^[A-Za-z]:(\/|$)/;

/**
 * Unicode format characters (category Cf) as of Unicode 17: soft hyphen, zero-width and bidi
 * controls, BOM, tags. A fixed list rather than the runtime's `\p{Cf}`, so that every CLI,
 * browser and server refuses the same paths whatever Unicode version it ships.
 */
const FORMAT_CHARACTERS: readonly (readonly [number, number])[] = [
  [0xad, 0xad],
  [0x600, 0x605],
  [0x61c, 0x61c],
  [0x6dd, 0x6dd],
  [0x70f, 0x70f],
  [0x890, 0x891],
  [0x8e2, 0x8e2],
  [0x180e, 0x180e],
  [0x200b, 0x200f],
  [0x202a, 0x202e],
  [0x2060, 0x2064],
  [0x2066, 0x206f],
  [0xfeff, 0xfeff],
  [0xfff9, 0xfffb],
  [0x110bd, 0x110bd],
  [0x110cd, 0x110cd],
  [0x13430, 0x1343f],
  [0x1bca0, 0x1bca3],
  [0x1d173, 0x1d17a],
  [0xe0001, 0xe0001],
  [0xe0020, 0xe007f],
];

type RefusedKind = 'the control character' | 'the format character' | 'an unpaired surrogate';

/**
 * Why a code point may not be in a path: controls (Cc: C0, DEL, C1) are invisible and break
 * line-based manifests; format characters (Cf) are invisible or reorder what is shown, so two
 * paths would look alike; an unpaired surrogate (Cs) has no UTF-8 encoding.
 */
function refusedKind(codePoint: number): RefusedKind | undefined {
  if (codePoint >= 0x20 && codePoint < 0x7f) return undefined;
  if (codePoint < 0xa0) return 'the control character';
  // Iterating a string by code points yields a surrogate only when it is unpaired.
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return 'an unpaired surrogate';
  for (const [from, to] of FORMAT_CHARACTERS) if (codePoint >= from && codePoint <= to) return 'the format character';
  return undefined;
}

/** `U+0085`, `U+E0001`: how a code point is named in messages. */
function codePointName(codePoint: number): string {
  return 'U+' + codePoint.toString(16).toUpperCase().padStart(4, '0');
}

/** Text safe to print: `"` and `\` escaped; refused characters and U+2028/U+2029 as `\uXXXX`. */
function escapeText(text: string): string {
  let out = '';
  for (const char of text) {
    const codePoint = char.codePointAt(0)!;
    if (char === '"' || char === '\\') out += '\\' + char;
    else if (refusedKind(codePoint) !== undefined || codePoint === 0x2028 || codePoint === 0x2029)
      // Stryker disable next-line EqualityOperator: U+FFFF itself is never escaped (not Cc, Cf or a surrogate), so `>=` gives the same text.
      out += codePoint > 0xffff ? `\\u{${codePoint.toString(16)}}` : `\\u${codePoint.toString(16).padStart(4, '0')}`;
    else out += char;
  }
  return out;
}

/**
 * A path in double quotes for an error message or a terminal: never prints a control or format
 * character raw (`"a\u0085b"`), so a message cannot hide, reorder or break lines.
 */
export function quotePath(path: string): string {
  return `"${escapeText(path)}"`;
}

// ignoreBOM: a name starting with U+FEFF must keep it (and be refused), not lose it silently.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodesAsUtf8(bytes: Uint8Array): boolean {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Bytes shown as text where they are UTF-8 and as `\xNN` where they are not: `bad\xffname`. */
function escapeBytes(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length;) {
    // The shortest prefix that decodes is exactly one UTF-8 sequence; none means a bad byte.
    // Stryker disable next-line ConditionalExpression,ArithmeticOperator: subarray stops at the end, so a candidate past it is the same bytes as a shorter one that already failed.
    const length = [1, 2, 3, 4].find((n) => i + n <= bytes.length && decodesAsUtf8(bytes.subarray(i, i + n)));
    if (length === undefined) {
      // Stryker disable next-line StringLiteral: a byte that is not UTF-8 is >= 0x80, always two hex digits; the padding never applies.
      out += `\\x${bytes[i].toString(16).padStart(2, '0')}`;
      i++;
    } else {
      out += escapeText(utf8.decode(bytes.subarray(i, i + length)));
      i += length;
    }
  }
  return out;
}

/**
 * The text of a file name read from disk as bytes (`readdir` with `encoding: 'buffer'`). Refuses
 * a name that is not UTF-8 (INVALID_PATH), showing its bad bytes as `\xNN`: a lossy decode
 * would name a file that does not exist. `parent` is the entry path of its folder ('' or `dir/`).
 */
export function decodeFileName(name: Uint8Array, parent = ''): string {
  try {
    return utf8.decode(name);
  } catch {
    throw invalidPath(`"${escapeText(parent)}${escapeBytes(name)}"`, 'is not valid UTF-8: rename the file');
  }
}

/**
 * Canonical entry path: `\` → `/`, NFC, relative, no empty/`.`/`..` segments, no control or
 * format characters (Unicode Cc, Cf) or unpaired surrogates, ≤ 4096 UTF-8 bytes. Refuses
 * (INVALID_PATH) instead of guessing; messages show refused characters escaped, never raw.
 */
export function normalizeEntryPath(input: string): string {
  if (typeof input !== 'string' || input.length === 0) throw invalidPath(quotePath(String(input)), 'is empty');
  const refuse = (reason: string) => invalidPath(quotePath(input), reason);
  for (const char of input) {
    const codePoint = char.codePointAt(0)!;
    const kind = refusedKind(codePoint);
    if (kind !== undefined) throw refuse(`contains ${kind} ${codePointName(codePoint)}`);
  }
  const path = input.replace(/\\/g, '/').normalize('NFC');
  if (path.startsWith('/') || DRIVE_RE.test(path)) throw refuse('must be relative');
  for (const segment of path.split('/')) {
    if (segment === '') throw refuse('has an empty segment (leading, trailing or doubled separator)');
    if (segment === '.' || segment === '..') throw refuse(`has a "${segment}" segment`);
  }
  if (Buffer.byteLength(path, 'utf8') > MAX_PATH_BYTES) throw refuse(`is longer than ${MAX_PATH_BYTES} bytes`);
  return path;
}

function invalidPath(quotedPath: string, reason: string): ProvenanceError {
  return new ProvenanceError('INVALID_PATH', `path ${quotedPath} ${reason}`, 'path');
}

export function normalizeFileEntry(input: FileEntryInput): FileEntry {
  const path = normalizeEntryPath(input.path);
  let size: bigint;
  try {
    size = BigInt(input.size);
  } catch {
    throw new ProvenanceError('INVALID_ENTRY', `size of ${path} is not an integer`, 'size');
  }
  // Stryker disable next-line ConditionalExpression: a negative size shifted right by 64 is -1, not 0, so the second test refuses it too.
  if (size < 0n || size >> 64n !== 0n)
    throw new ProvenanceError('INVALID_ENTRY', `size of ${path} must be 0..2^64-1`, 'size');
  if (typeof input.sha256 !== 'string' || !SHA256_RE.test(input.sha256)) {
    throw new ProvenanceError('INVALID_ENTRY', `sha256 of ${path} must be 64 hex digits`, 'sha256');
  }
  // Stryker disable next-line Regex: 'x' is not a hex digit, so SHA256_RE lets 0x appear only at the start.
  return { path, size, sha256: input.sha256.replace(/^0x/, '').toLowerCase() };
}

/** Byte order of UTF-8 (= Unicode code point order), not JS's UTF-16 order. */
export function comparePaths(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * `comparePaths` without encoding either string: UTF-16 order, except that a surrogate (half of a
 * code point above U+FFFF) ranks after U+E000–U+FFFF, as its UTF-8 bytes do.
 */
function compareUtf8Order(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return utf8Rank(x) - utf8Rank(y);
  }
  return a.length - b.length;
}

function utf8Rank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

/** Below U+D800, UTF-16 order is UTF-8 byte order, and the engine's own string comparison is exact. */
const BEYOND_PLAIN_ORDER = /[\ud800-\uffff]/;

/**
 * Indexes of `entries` (normalized) in canonical order: by path in UTF-8 byte order, without a
 * Buffer per path (100,000 of them were ~12 MB). Refuses two equal paths (DUPLICATE_PATH).
 */
export function canonicalOrder(entries: readonly FileEntry[]): number[] {
  const order = Array.from(entries, (_, i) => i);
  const plain = entries.every((e) => !BEYOND_PLAIN_ORDER.test(e.path));
  const compare = plain
    ? (a: number, b: number) => (entries[a].path < entries[b].path ? -1 : entries[a].path > entries[b].path ? 1 : 0)
    : (a: number, b: number) => compareUtf8Order(entries[a].path, entries[b].path);
  order.sort(compare);
  for (let i = 1; i < order.length; i++) {
    const path = entries[order[i]].path;
    if (path === entries[order[i - 1]].path)
      throw new ProvenanceError('DUPLICATE_PATH', `two files have the path ${quotePath(path)}`, 'path');
  }
  return order;
}

/**
 * Normalizes every entry and sorts by path (UTF-8 byte order). Refuses an empty list
 * (EMPTY_DATASET) and two entries that normalize to the same path (DUPLICATE_PATH).
 */
export function canonicalEntries(inputs: readonly FileEntryInput[]): FileEntry[] {
  if (inputs.length === 0) throw new ProvenanceError('EMPTY_DATASET', 'a dataset needs at least one file', 'entries');
  const entries = inputs.map(normalizeFileEntry);
  return canonicalOrder(entries).map((i) => entries[i]);
}

import type { FileEntry } from '@upstream/provenance';

/**
 * A dataset's files in canonical order as three strings, one per column: what crosses from a worker
 * thread (a few strings, not 100,000 objects) and what PostgreSQL splits itself (`FILE_COLUMNS_SQL`),
 * so that a large registration is never turned into objects or escaped arrays on the event loop.
 */
export interface FileColumns {
  count: number;
  /** Canonical paths joined by U+001F, a control character, which no path may contain (`uncleanTextReason`). */
  paths: string;
  /** Sizes as decimal strings joined by `,`. */
  sizes: string;
  /** The digests, 64 lowercase hex digits each, joined by `,`. */
  sha256s: string;
  /** The sum of the sizes, decimal. */
  totalBytes: string;
}

export const PATH_SEPARATOR = '\u001f';

export function fileColumnsOf(files: readonly { path: string; size: bigint | string; sha256: string }[]): FileColumns {
  let totalBytes = 0n;
  for (const f of files) totalBytes += BigInt(f.size);
  return {
    count: files.length,
    paths: files.map((f) => f.path).join(PATH_SEPARATOR),
    sizes: files.map((f) => f.size.toString()).join(','),
    sha256s: files.map((f) => f.sha256).join(','),
    totalBytes: totalBytes.toString(),
  };
}

/** The entries back as objects: for the content tree of a proof (in a worker), never for a registration's writes. */
export function fileEntriesOf(columns: FileColumns): FileEntry[] {
  if (columns.count === 0) return [];
  const paths = columns.paths.split(PATH_SEPARATOR);
  const sizes = columns.sizes.split(',');
  const sha256s = columns.sha256s.split(',');
  const entries = new Array<FileEntry>(paths.length);
  for (let i = 0; i < paths.length; i++) entries[i] = { path: paths[i], size: BigInt(sizes[i]), sha256: sha256s[i] };
  return entries;
}

/**
 * Where each of `wanted` (a few canonical paths, as a refusal names them) is in the joined `paths`:
 * one pass over the column, no array of it.
 */
export function canonicalIndexes(paths: string, wanted: readonly string[]): Map<string, number> {
  const looking = new Set(wanted);
  const found = new Map<string, number>();
  for (let from = 0, index = 0; from <= paths.length && found.size < looking.size; index++) {
    const end = paths.indexOf(PATH_SEPARATOR, from);
    const path = paths.slice(from, end === -1 ? paths.length : end);
    if (looking.has(path) && !found.has(path)) found.set(path, index);
    if (end === -1) break;
    from = end + 1;
  }
  return found;
}

/**
 * The columns as rows `(path text, size numeric, sha256 text, i bigint)`, `i` counting from 1 in
 * canonical order, for a FROM clause; `paths`, `sizes` and `sha256s` name the three text parameters.
 */
export function fileColumnsSql(paths: string, sizes: string, sha256s: string): string {
  return (
    `unnest(string_to_array(${paths}::text, chr(31)), string_to_array(${sizes}::text, ',')::numeric[], ` +
    `string_to_array(${sha256s}::text, ',')) WITH ORDINALITY AS f(path, size, sha256, i)`
  );
}

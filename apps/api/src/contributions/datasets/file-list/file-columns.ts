import type { FileEntry } from '@upstream/provenance';

/**
 * A dataset's files in canonical order as three byte columns of joined text: what crosses from a
 * worker thread (moved, not copied: `movedResult`) and what PostgreSQL splits itself
 * (`fileColumnsSql`), so that a large registration is never turned into objects, escaped arrays or
 * 10 MB of strings on the event loop.
 */
export interface FileColumns {
  count: number;
  /** Canonical paths in UTF-8 joined by U+001F, a control character, which no path may contain (`uncleanTextReason`). */
  paths: Buffer;
  /** Sizes as decimal strings joined by `,`. */
  sizes: Buffer;
  /** The digests, 64 lowercase hex digits each, joined by `,`. */
  sha256s: Buffer;
  /** The sum of the sizes, decimal. */
  totalBytes: string;
}

export const PATH_SEPARATOR = '\u001f';

export function fileColumnsOf(files: readonly { path: string; size: bigint | string; sha256: string }[]): FileColumns {
  let totalBytes = 0n;
  for (const f of files) totalBytes += BigInt(f.size);
  return {
    count: files.length,
    paths: joinedBytes(files, (f) => f.path, PATH_SEPARATOR),
    sizes: joinedBytes(files, (f) => f.size.toString(), ','),
    sha256s: joinedBytes(files, (f) => f.sha256, ','),
    totalBytes: totalBytes.toString(),
  };
}

/** `items.map(text).join(separator)` as UTF-8 bytes, written once into a buffer of its own (never the shared pool, so it can be moved). */
function joinedBytes<T>(items: readonly T[], text: (item: T) => string, separator: string): Buffer {
  let length = Math.max(0, items.length - 1);
  for (const item of items) length += Buffer.byteLength(text(item), 'utf8');
  const out = Buffer.alloc(length);
  let at = 0;
  items.forEach((item, i) => {
    if (i > 0) at += out.write(separator, at, 'latin1');
    at += out.write(text(item), at, 'utf8');
  });
  return out;
}

/** Columns as they arrive from a worker thread (their buffers come as plain Uint8Arrays), as Buffers again. */
export function receivedColumns<C extends FileColumns>(columns: C): C {
  const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    ...columns,
    paths: asBuffer(columns.paths),
    sizes: asBuffer(columns.sizes),
    sha256s: asBuffer(columns.sha256s),
  };
}

/** The entries back as objects: for the content tree of a proof (in a worker), never for a registration's writes. */
export function fileEntriesOf(columns: FileColumns): FileEntry[] {
  if (columns.count === 0) return [];
  const paths = columns.paths.toString('utf8').split(PATH_SEPARATOR);
  const sizes = columns.sizes.toString('latin1').split(',');
  const sha256s = columns.sha256s.toString('latin1').split(',');
  const entries = new Array<FileEntry>(paths.length);
  for (let i = 0; i < paths.length; i++) entries[i] = { path: paths[i], size: BigInt(sizes[i]), sha256: sha256s[i] };
  return entries;
}

/**
 * Where each of `wanted` (a few canonical paths, as a refusal names them) is in the `paths` column:
 * one pass over it, no array of it.
 */
export function canonicalIndexes(column: Buffer, wanted: readonly string[]): Map<string, number> {
  // Only a refusal asks (a few paths): the column is read as text this once.
  const paths = column.toString('utf8');
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
 * The columns cut into runs of at most `size` files, as views of the same bytes (nothing copied):
 * one INSERT of 100,000 files made node-postgres build a ~10 MB message (and the copies of its
 * growing buffer) on the event loop at once; runs of 10,000 cost ~1 MB each, one after the other.
 */
export function* fileColumnBatches(columns: FileColumns, size: number): Generator<Omit<FileColumns, 'totalBytes'>> {
  const cut = (column: Buffer, separator: number, from: number, count: number) => {
    let end = from - 1;
    for (let k = 0; k < count && end < column.length; k++) {
      end = column.indexOf(separator, end + 1);
      if (end === -1) end = column.length;
    }
    return end;
  };
  const at = { paths: 0, sizes: 0, sha256s: 0 };
  for (let done = 0; done < columns.count; done += size) {
    const count = Math.min(size, columns.count - done);
    const ends = {
      paths: cut(columns.paths, 0x1f, at.paths, count),
      sizes: cut(columns.sizes, 0x2c, at.sizes, count),
      sha256s: Math.min(columns.sha256s.length, at.sha256s + count * 65 - 1),
    };
    yield {
      count,
      paths: columns.paths.subarray(at.paths, ends.paths),
      sizes: columns.sizes.subarray(at.sizes, ends.sizes),
      sha256s: columns.sha256s.subarray(at.sha256s, ends.sha256s),
    };
    at.paths = ends.paths + 1;
    at.sizes = ends.sizes + 1;
    at.sha256s = ends.sha256s + 1;
  }
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

import { lstat, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { decodeFileName, normalizeEntryPath, ProvenanceError, quotePath } from '@upstream/provenance';

/** A file to upload: where it is here, its entry path in the dataset, and its size. Not hashed yet. */
export interface LocalFile {
  fsPath: string;
  path: string;
  size: bigint;
}

export interface FileListing {
  kind: 'file' | 'directory';
  files: LocalFile[];
  totalBytes: bigint;
}

/**
 * Lists a file or folder the way `hashPath` (@upstream/provenance) walks it, without reading
 * any bytes, so that `upstream upload` can hash big files while it sends them instead of
 * reading them twice. Same rules: a single file's entry path is its name; symlinks are refused
 * (SYMLINK_REFUSED), never followed; sockets, FIFOs and devices are refused
 * (UNSUPPORTED_FILE_TYPE); no files at all is EMPTY_DATASET; a name that is not UTF-8 or a path
 * that `normalizeEntryPath` refuses is INVALID_PATH, here, before any byte is sent. Paths are
 * normalised by `buildContentTree` afterwards, as in `hashPath`.
 */
export async function listFiles(fsPath: string): Promise<FileListing> {
  const stat = await lstat(fsPath);
  const files: LocalFile[] = [];
  let kind: FileListing['kind'];
  if (stat.isSymbolicLink()) throw symlinkRefused(fsPath);
  if (stat.isFile()) {
    kind = 'file';
    files.push({ fsPath, path: checkedPath(basename(fsPath)), size: BigInt(stat.size) });
  } else if (stat.isDirectory()) {
    kind = 'directory';
    await walk(fsPath, '', files);
  } else {
    throw unsupported(fsPath);
  }
  if (files.length === 0) throw new ProvenanceError('EMPTY_DATASET', `${quotePath(fsPath)} contains no files`, 'path');
  return { kind, files, totalBytes: files.reduce((sum, f) => sum + f.size, 0n) };
}

async function walk(dir: string, prefix: string, files: LocalFile[]): Promise<void> {
  const subdirs: { fsPath: string; path: string }[] = [];
  const found: { fsPath: string; path: string }[] = [];
  // Names as bytes: a name that is not UTF-8 is refused by name, not decoded to U+FFFD (ENOENT).
  for (const dirent of await readdir(dir, { withFileTypes: true, encoding: 'buffer' })) {
    const name = decodeFileName(dirent.name, prefix);
    const fsPath = join(dir, name);
    const path = prefix + name;
    if (dirent.isSymbolicLink()) throw symlinkRefused(fsPath);
    if (dirent.isDirectory()) subdirs.push({ fsPath, path });
    else if (dirent.isFile()) found.push({ fsPath, path: checkedPath(path) });
    else throw unsupported(fsPath);
  }
  const sizes = await mapBounded(found, 8, async (f) => BigInt((await lstat(f.fsPath)).size));
  found.forEach((f, i) => files.push({ ...f, size: sizes[i] }));
  for (const sub of subdirs) await walk(sub.fsPath, sub.path + '/', files);
}

/** `task` over `items` with at most `limit` in flight, results in order; the first failure rejects. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Refuses a bad entry path (INVALID_PATH) before the upload starts; keeps it as found. */
function checkedPath(path: string): string {
  normalizeEntryPath(path);
  return path;
}

function symlinkRefused(fsPath: string): ProvenanceError {
  return new ProvenanceError(
    'SYMLINK_REFUSED',
    `${quotePath(fsPath)} is a symbolic link; symlinks are not followed — copy the target in instead`,
    'path',
  );
}

function unsupported(fsPath: string): ProvenanceError {
  return new ProvenanceError(
    'UNSUPPORTED_FILE_TYPE',
    `${quotePath(fsPath)} is not a regular file or directory`,
    'path',
  );
}

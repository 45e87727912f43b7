import { lstat, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { buildContentTree } from '../content-root.tree';
import { decodeFileName, normalizeEntryPath, quotePath, type FileEntry } from '../file-entry.normalizer';
import { ProvenanceError } from '../provenance.errors';
import { sha256File } from './sha256.hasher';

export interface HashProgress {
  filesDone: number;
  filesTotal: number;
  bytesDone: bigint;
  bytesTotal: bigint;
  /** Entry path of the file that just advanced. */
  path: string;
}

export interface HashPathOptions {
  onProgress?: (progress: HashProgress) => void;
  /** Files hashed at once (default 8): enough to hide syscall latency on many small files. */
  concurrency?: number;
}

export interface HashPathResult {
  kind: 'file' | 'directory';
  /** Canonical entries sorted by path. */
  entries: FileEntry[];
  contentRoot: string;
  totalBytes: bigint;
  /** Directories with no files anywhere below: they have no content, so no entry, but are reported. */
  emptyDirectories: string[];
}

/** A file found by `listPath`: where it is on disk, its entry path in the dataset, its size. */
export interface ListedFile {
  fsPath: string;
  entryPath: string;
  size: bigint;
}

export interface PathListing {
  kind: 'file' | 'directory';
  /** In walk order: a folder's files, then its subfolders, depth first. */
  files: ListedFile[];
  totalBytes: bigint;
  /** Directories with no files anywhere below, sorted. */
  emptyDirectories: string[];
}

/**
 * Lists a file or a folder the way a dataset is hashed, without reading any bytes (the CLI lists
 * first so that it can hash big files while it sends them).
 * - A single file's entry path is its file name; a folder's entries are relative to it.
 * - Symlinks are refused (SYMLINK_REFUSED), never followed: following could leave the
 *   folder or loop, and silently skipping them would hide data. Sockets, FIFOs and
 *   devices are refused too (UNSUPPORTED_FILE_TYPE). Nothing is skipped silently.
 * - Every file's entry path is checked (INVALID_PATH); a name on disk that is not UTF-8 is
 *   refused, not decoded lossily. No files at all is EMPTY_DATASET.
 */
export async function listPath(fsPath: string, options: { concurrency?: number } = {}): Promise<PathListing> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 8));
  const stat = await lstat(fsPath);
  const files: ListedFile[] = [];
  const emptyDirectories: string[] = [];
  let kind: PathListing['kind'];
  if (stat.isSymbolicLink()) throw symlinkRefused(fsPath);
  if (stat.isFile()) {
    kind = 'file';
    files.push({ fsPath, entryPath: checkedEntryPath(basename(fsPath)), size: BigInt(stat.size) });
  } else if (stat.isDirectory()) {
    kind = 'directory';
    await walk(fsPath, '', files, emptyDirectories, concurrency);
  } else {
    throw unsupported(fsPath);
  }
  if (files.length === 0) throw new ProvenanceError('EMPTY_DATASET', `${quotePath(fsPath)} contains no files`, 'path');
  emptyDirectories.sort();
  return { kind, files, totalBytes: files.reduce((sum, f) => sum + f.size, 0n), emptyDirectories };
}

/**
 * Hashes a file or a folder (listed by `listPath`, same rules) into canonical entries and its
 * content root. Every file is streamed (constant memory); `concurrency` files are read at once.
 */
export async function hashPath(fsPath: string, options: HashPathOptions = {}): Promise<HashPathResult> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 8));
  const { kind, files, emptyDirectories, totalBytes: bytesTotal } = await listPath(fsPath, { concurrency });

  let bytesDone = 0n;
  let filesDone = 0;
  const hashed: FileEntry[] = new Array<FileEntry>(files.length);
  await forEachBounded(files.length, concurrency, async (i) => {
    const file = files[i];
    let seen = 0n;
    const result = await sha256File(file.fsPath, (soFar) => {
      bytesDone += soFar - seen;
      seen = soFar;
      options.onProgress?.({ filesDone, filesTotal: files.length, bytesDone, bytesTotal, path: file.entryPath });
    });
    filesDone++;
    options.onProgress?.({ filesDone, filesTotal: files.length, bytesDone, bytesTotal, path: file.entryPath });
    hashed[i] = { path: file.entryPath, size: result.size, sha256: result.sha256 };
  });

  const tree = await buildContentTree(hashed);
  return { kind, entries: [...tree.entries], contentRoot: tree.root, totalBytes: bytesDone, emptyDirectories };
}

/** Depth-first walk; returns whether anything below `dir` is a file. */
async function walk(
  dir: string,
  prefix: string,
  files: ListedFile[],
  emptyDirectories: string[],
  concurrency: number,
): Promise<boolean> {
  const subdirs: { fsPath: string; entryPath: string }[] = [];
  const found: { fsPath: string; entryPath: string }[] = [];
  // Names as bytes: a name that is not UTF-8 is refused by name, not decoded to U+FFFD (ENOENT).
  for (const dirent of await readdir(dir, { withFileTypes: true, encoding: 'buffer' })) {
    const name = decodeFileName(dirent.name, prefix);
    const fsPath = join(dir, name);
    const entryPath = prefix + name;
    if (dirent.isSymbolicLink()) throw symlinkRefused(fsPath);
    if (dirent.isDirectory()) subdirs.push({ fsPath, entryPath });
    else if (dirent.isFile()) found.push({ fsPath, entryPath: checkedEntryPath(entryPath) });
    else throw unsupported(fsPath);
  }
  // Stryker disable next-line ArrayDeclaration: pre-sizing only; every slot is written below.
  const sizes: bigint[] = new Array<bigint>(found.length);
  await forEachBounded(found.length, concurrency, async (i) => {
    sizes[i] = BigInt((await lstat(found[i].fsPath)).size);
  });
  found.forEach((f, i) => files.push({ ...f, size: sizes[i] }));
  let hasFiles = found.length > 0;
  for (const sub of subdirs) {
    if (await walk(sub.fsPath, sub.entryPath + '/', files, emptyDirectories, concurrency)) hasFiles = true;
    else emptyDirectories.push(sub.entryPath);
  }
  return hasFiles;
}

/** Runs `task(0..count-1)` with at most `limit` in flight; the first failure rejects. */
async function forEachBounded(count: number, limit: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  // Stryker disable next-line MethodExpression: more workers than tasks find nothing left to take and end at once; same result.
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

/** Refuses a bad entry path (INVALID_PATH) now, not after hashing the whole folder; keeps it as found. */
function checkedEntryPath(entryPath: string): string {
  normalizeEntryPath(entryPath);
  return entryPath;
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

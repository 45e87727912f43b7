import { listPath } from '@upstream/provenance/node';

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
 * Lists a file or folder with `listPath` (@upstream/provenance/node), the walk `hashPath` uses,
 * without reading any bytes, so that `upstream upload` can hash big files while it sends them
 * instead of reading them twice. Every refusal (symlinks, special files, names that are not
 * UTF-8, invalid paths, no files) happens here, before any byte is sent.
 */
export async function listFiles(fsPath: string): Promise<FileListing> {
  const listing = await listPath(fsPath);
  return {
    kind: listing.kind,
    files: listing.files.map((f) => ({ fsPath: f.fsPath, path: f.entryPath, size: f.size })),
    totalBytes: listing.totalBytes,
  };
}

/** `task` over `items` with at most `limit` in flight, results in order; the first failure rejects. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
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

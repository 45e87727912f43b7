import type { HashMessage } from './hash.worker';

export interface PickedFile {
  /** Relative to the picked folder (its own name left out), `/`-separated; a lone file's name. */
  path: string;
  file: File;
}

export interface HashedFile {
  path: string;
  size: number;
  sha256: string;
}

/** The dataset's files from an <input type=file> (a folder via webkitdirectory, or several files). */
export function pickedFiles(list: FileList): PickedFile[] {
  return Array.from(list, (file) => {
    const relative = file.webkitRelativePath;
    // A folder pick names paths from the folder itself ("photos/a.jpg"); the dataset's paths start inside it.
    const path = relative ? relative.split('/').slice(1).join('/') : file.name;
    return { path, file };
  });
}

/**
 * The dataset's files from a drop: folders are walked (`webkitGetAsEntry`), their paths kept relative to a
 * lone dropped folder as a folder pick names them; files dropped beside them keep their names. Items that
 * are no file-system entry (files a page made itself) are taken from `files`, by name.
 */
export async function droppedFiles(data: DataTransfer): Promise<PickedFile[]> {
  // Entries must be taken before the first await: the list empties once the drop event returns.
  const entries = Array.from(data.items, (item) => (item.kind === 'file' ? item.webkitGetAsEntry() : null));
  if (entries.length === 0 || entries.some((e) => e === null))
    return Array.from(data.files, (file) => ({ path: file.name, file }));
  const picked: PickedFile[] = [];
  const lone = entries.length === 1 && entries[0]!.isDirectory;
  for (const entry of entries as FileSystemEntry[])
    await walk(entry, lone ? '' : entry.isDirectory ? `${entry.name}/` : '', picked);
  return picked;
}

async function walk(entry: FileSystemEntry, prefix: string, into: PickedFile[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    into.push({ path: `${prefix}${file.name}`, file });
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries answers in batches (100 in Chromium) until it answers an empty one.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return;
    for (const child of batch) await walk(child, child.isDirectory ? `${prefix}${child.name}/` : prefix, into);
  }
}

/** Hashes the files in a Web Worker; `onProgress(bytesDone)` as it goes. */
export function hashInWorker(files: PickedFile[], onProgress: (bytes: number) => void): Promise<HashedFile[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./hash.worker.ts', import.meta.url), { type: 'module' });
    const hashed: HashedFile[] = [];
    let bytes = 0;
    worker.onmessage = (event: MessageEvent<HashMessage>) => {
      const message = event.data;
      if (message.kind === 'progress') onProgress((bytes += message.bytes));
      else if (message.kind === 'file') hashed.push({ path: message.path, size: message.size, sha256: message.sha256 });
      else {
        worker.terminate();
        if (message.kind === 'done') resolve(hashed);
        else reject(new Error(message.message));
      }
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(event.message || 'the hashing worker failed'));
    };
    worker.postMessage({ files });
  });
}

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

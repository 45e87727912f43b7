// Hashes files off the main thread with hash-wasm's streaming SHA-256 (what `sha256sum` prints), reading
// each file as a stream, so a folder of any size never sits in memory. Posts progress as bytes go by.
import { createSHA256 } from 'hash-wasm';

export interface HashRequest {
  files: { path: string; file: File }[];
}

export type HashMessage =
  | { kind: 'progress'; bytes: number }
  | { kind: 'file'; path: string; size: number; sha256: string }
  | { kind: 'done' }
  | { kind: 'failed'; message: string };

const scope = self as unknown as {
  postMessage(message: HashMessage): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<HashRequest>) => void): void;
};

scope.addEventListener('message', (event) => {
  void (async () => {
    try {
      const hasher = await createSHA256();
      for (const { path, file } of event.data.files) {
        hasher.init();
        const reader = file.stream().getReader();
        let sinceReport = 0;
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          hasher.update(value);
          sinceReport += value.byteLength;
          if (sinceReport >= 4 * 1024 * 1024) {
            scope.postMessage({ kind: 'progress', bytes: sinceReport });
            sinceReport = 0;
          }
        }
        scope.postMessage({ kind: 'progress', bytes: sinceReport });
        scope.postMessage({ kind: 'file', path, size: file.size, sha256: hasher.digest('hex') });
      }
      scope.postMessage({ kind: 'done' });
    } catch (error) {
      scope.postMessage({ kind: 'failed', message: (error as Error).message });
    }
  })();
});

// Child process for data-dir-lock.test.ts and blob-store-sweep.test.ts: takes a lock as the
// service would, says so, and waits to be killed (often with SIGKILL, as after a crash).
import { LocalBlobStore } from '../../apps/api/src/contributions/storage/local-disk/local-blob-store';
import { DataDirLock } from '../../apps/api/src/runtime/data-dir-lock';

const [mode, path] = process.argv.slice(2);
async function hold(): Promise<void> {
  if (mode === 'data-dir') DataDirLock.acquire(path);
  else if (mode === 'blob-writer') await new LocalBlobStore(path).open(60 * 60 * 1000);
  else throw new Error(`unknown mode ${mode}`);
}
hold().then(
  () => process.stdout.write('held\n'),
  (error: Error) => {
    process.stdout.write(`refused: ${error.message}\n`);
    process.exit(3);
  },
);
setInterval(() => undefined, 1000);

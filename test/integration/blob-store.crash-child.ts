// Child process for blob-store.test.ts: starts a put whose source never ends, says when bytes
// have reached the temp file, and waits to be killed with SIGKILL mid-upload.
import { Readable } from 'node:stream';
import { LocalBlobStore } from '../../apps/api/src/contributions/storage/local-disk/local-blob-store';

const store = new LocalBlobStore(process.argv[2]);
let sent = 0;
const source = new Readable({
  read() {
    if (sent < 4) {
      sent++;
      this.push(Buffer.alloc(1 << 20, 1));
    } else if (sent === 4) {
      sent++;
      setTimeout(() => process.stdout.write('writing\n'), 200);
    }
  },
});
void store.put(source);
setInterval(() => undefined, 1000);

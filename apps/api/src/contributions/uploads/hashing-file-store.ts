import { createHash, type Hash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import type http from 'node:http';
import { FileStore } from '@tus/file-store';

/**
 * tus's FileStore, hashing the bytes as they are written. A resumable upload is
 * hashed in the same pass as long as its chunks arrive in order in this process;
 * after a restart or a failed write the running hash is dropped and the finished
 * file is hashed once from disk instead (`digestOf` then answers undefined).
 */
export class HashingFileStore extends FileStore {
  private readonly running = new Map<string, { offset: number; hash: Hash }>();

  override async write(readable: http.IncomingMessage | Readable, id: string, offset: number): Promise<number> {
    const state = this.running.get(id) ?? (offset === 0 ? { offset: 0, hash: createHash('sha256') } : undefined);
    this.running.delete(id);
    if (!state || state.offset !== offset) return super.write(readable, id, offset);
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        state.hash.update(chunk);
        callback(null, chunk);
      },
    });
    readable.on('error', (error) => tap.destroy(error));
    readable.pipe(tap);
    const newOffset = await super.write(tap, id, offset);
    // The write completed: every chunk hashed was written, so the hash covers [0, newOffset).
    state.offset = newOffset;
    this.running.set(id, state);
    return newOffset;
  }

  /** The SHA-256 of a finished upload if it was hashed while streaming, else undefined. Forgets the upload. */
  digestOf(id: string, size: number): string | undefined {
    const state = this.running.get(id);
    this.running.delete(id);
    return state && state.offset === size ? state.hash.digest('hex') : undefined;
  }

  forget(id: string): void {
    this.running.delete(id);
  }
}

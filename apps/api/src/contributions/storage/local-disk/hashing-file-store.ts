import { createHash, type Hash } from 'node:crypto';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type http from 'node:http';
import { FileStore } from '@tus/file-store';
import { BlobTooLargeError } from '../blob-store';
import { FileSink } from './direct-file-sink';

/** Upload ids as @tus/server names them (random hex): anything else goes through FileStore's own checks. */
const PLAIN_ID = /^[0-9a-zA-Z_-]{1,128}$/;
/** What @tus/file-store answers when a write fails (its ERRORS.FILE_WRITE_ERROR). */
const FILE_WRITE_ERROR = { status_code: 500, body: 'Something went wrong receiving the file\n' };

/**
 * tus's FileStore, hashing the bytes as they are written. A resumable upload is
 * hashed in the same pass as long as its chunks arrive in order in this process;
 * after a restart or a failed write the running hash is dropped and the finished
 * file is hashed once from disk instead (`digestOf` then answers undefined).
 *
 * Writes go through the same FileSink as PUT /blobs (direct I/O in 1 MiB blocks, written
 * while the next block fills) instead of FileStore's 16 KiB buffered write stream.
 */
export class HashingFileStore extends FileStore {
  private readonly running = new Map<string, { offset: number; hash: Hash }>();

  override async write(readable: http.IncomingMessage | Readable, id: string, offset: number): Promise<number> {
    const existing = this.running.get(id) ?? (offset === 0 ? { offset: 0, hash: createHash('sha256') } : undefined);
    this.running.delete(id);
    if (!PLAIN_ID.test(id)) return super.write(readable, id, offset);
    // Hash only when these bytes continue the running hash exactly.
    const state = existing && existing.offset === offset ? existing : undefined;
    let written = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        state?.hash.update(chunk);
        written += chunk.length;
        callback(null, chunk);
      },
    });
    try {
      await pipeline(readable, tap, new FileSink(join(this.directory, id), { flags: 'r+', start: offset }));
    } catch (error) {
      // Bytes written before the failure stay (the upload's offset is its file's size); the running hash is dropped.
      if (error instanceof BlobTooLargeError) throw error;
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- @tus/server's own error object, which it turns into a response
      throw FILE_WRITE_ERROR;
    }
    const newOffset = offset + written;
    // The write completed: every chunk hashed was written, so the hash covers [0, newOffset).
    if (state) {
      state.offset = newOffset;
      this.running.set(id, state);
    }
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

  /** Termination (and expiry): the upload's file and record go, and its running hash with them. */
  override async remove(id: string): Promise<void> {
    this.running.delete(id);
    await super.remove(id);
  }
}

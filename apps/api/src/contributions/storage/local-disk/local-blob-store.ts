import type { Sha256 } from '@upstream/api-contract';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Sha256PassThrough, sha256File } from '@upstream/provenance/node';
import { FileLock } from '../../../runtime/data-dir-lock';
import {
  BlobHashMismatchError,
  SHA256_HEX,
  type BlobStore,
  type ByteRange,
  type PutBlobOptions,
  type StoredBlob,
} from '../blob-store';
import { ByteLimiter } from '../byte-limiter';
import { BodyBufferCollector } from '../../../common/memory/body-buffer-collector';
import { FileSink } from './direct-file-sink';
import { LocalResumableUploads } from './local-resumable-uploads';

const TEMP_DIR = '.tmp';
/** Held shared by every process writing to the store; exclusive only while a lone process sweeps. */
const WRITERS_LOCK = '.tmp.lock';

export interface LocalBlobStoreOptions {
  /** Folder of resumable (tus) uploads in progress (default `<root>/.uploads`); never swept: they resume across restarts. */
  uploadsDirectory?: string;
  /** Unfinished resumable uploads expire this long after creation (default a day). */
  uploadExpiryMs?: number;
}

/**
 * The local-disk adapter of the blob-store port: blobs in a folder, at
 * `<root>/<first 2 hex>/<next 2 hex>/<sha256>`. Every write goes to `<root>/.tmp/` first, is
 * fsynced, and is renamed into place only once its hash is known (and matches what was
 * expected); the directory is fsynced after the rename. A crash therefore leaves at most a temp
 * file, which `open()` removes at the next start, never a half blob.
 *
 * The upload path's tuning lives in this folder, behind the port. docs/reference/uploads.md quotes
 * these figures, each measured with a 2 GiB upload over loopback (details in each file's header;
 * whole-service runs of `npm run bench:upload` are in bench/results/upload.json):
 * - `direct-file-sink.ts`: whole 4 KiB-aligned blocks written with O_DIRECT from a pool of
 *   page-aligned 1 MiB buffers (WebAssembly memory), each written while the next one fills.
 *   Into a bare HTTP server the page-cache path spent ~3 s of kernel CPU copying and ~1 s in
 *   the final fsync (~320 MB/s end to end); direct, ~1 s of kernel CPU (~640 MB/s).
 *   Filesystems without O_DIRECT get buffered writes.
 * - `body-buffer-collector.ts`: a minor GC every 8 MiB of request body consumed. Without it a
 *   PUT /blobs ran ~50 mark-compacts, ~6 s of service CPU, 430–470 MB/s, 222 MiB peak RSS;
 *   with it 1–2 mark-compacts, ~3 s of CPU, 650–750 MB/s, 155–162 MiB peak.
 * - `hashing-file-store.ts`, `local-resumable-uploads.ts`: tus PATCH bodies reach the same sink
 *   as plain Node streams, hashed in the same pass (the PATCH handler is
 *   uploads/tus-uploads.service.ts): @tus/server 2's web-stream round trip cost ~2.5× the CPU
 *   and back-to-back mark-compacts (~300 MB/s, peak RSS > 200 MiB, against ~550 MB/s, ~160 MiB).
 * - `read`: downloads report the bytes they send to the same collector (figures in its header).
 */
export class LocalBlobStore implements BlobStore {
  /** Folders known to exist: a stream of small uploads would otherwise spend a syscall each on them. */
  private readonly madeDirs = new Set<string>();
  private writersLock: FileLock | undefined;
  private resumableUploads: LocalResumableUploads | undefined;

  constructor(
    readonly root: string,
    private readonly options: LocalBlobStoreOptions = {},
  ) {}

  /** Made on first use (@tus/file-store creates its folder at once). */
  get resumable(): LocalResumableUploads {
    this.resumableUploads ??= new LocalResumableUploads(
      this.options.uploadsDirectory ?? join(this.root, '.uploads'),
      this.options.uploadExpiryMs ?? 24 * 60 * 60 * 1000,
      (path, sha256) => this.adoptFile(path, sha256),
    );
    return this.resumableUploads;
  }

  pathOf(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new Error(`not a sha256 hex digest: ${sha256}`);
    return join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  get tempDir(): string {
    return join(this.root, TEMP_DIR);
  }

  /**
   * Joins the processes writing to this store and removes what crashed writers left in `.tmp/`.
   * Each writer holds a shared kernel lock on `<root>/.tmp.lock` until it closes or dies. Replicas
   * may share one blob folder (external DATABASE_URL and RPC_URL take no data-dir lock), so age
   * alone cannot tell a crash leftover from another replica's upload in progress. A process that
   * gets the lock exclusively is the only writer alive: every temp file is then a leftover and goes
   * whatever its age, before the lock is downgraded to shared (without letting go). Otherwise other
   * writers are running and only temp files older than `othersOlderThanMs` go.
   * Resumable uploads live in their own folder (`<DATA_DIR>/uploads`): they resume across restarts and are never swept here.
   */
  async open(othersOlderThanMs: number): Promise<{ swept: number; alone: boolean }> {
    this.close();
    const file = join(this.root, WRITERS_LOCK);
    const exclusive = FileLock.tryAcquire(file);
    if (exclusive) {
      this.writersLock = exclusive;
      try {
        return { swept: await this.sweepTemp(0), alone: true };
      } finally {
        exclusive.downgrade();
      }
    }
    this.writersLock = await FileLock.acquire(file, { shared: true });
    return { swept: await this.sweepTemp(othersOlderThanMs), alone: false };
  }

  /** Leaves the writers (the kernel does the same when the process dies). */
  close(): void {
    this.writersLock?.release();
    this.writersLock = undefined;
  }

  /** Removes temp files older than `olderThanMs` (left by a crash or an aborted upload). Returns how many. */
  async sweepTemp(olderThanMs = 0): Promise<number> {
    await mkdir(this.tempDir, { recursive: true });
    let removed = 0;
    for (const name of await readdir(this.tempDir)) {
      const path = join(this.tempDir, name);
      const info = await stat(path).catch(() => undefined);
      if (info?.isFile() && Date.now() - info.mtimeMs >= olderThanMs) {
        await rm(path, { force: true });
        removed++;
      }
    }
    return removed;
  }

  async put(source: Readable, options: PutBlobOptions = {}): Promise<StoredBlob> {
    await this.makeDir(this.tempDir);
    const temp = join(this.tempDir, `${randomBytes(12).toString('hex')}.part`);
    const hasher = new Sha256PassThrough(options.onBytes);
    try {
      // `sync` fsyncs the file before the stream finishes: the bytes are durable before the rename.
      await pipeline(
        source,
        new ByteLimiter(options.maxBytes ?? Infinity),
        hasher,
        new FileSink(temp, { flags: 'wx', sync: true }),
      );
      const { sha256, size } = hasher.result;
      if (options.expectedSha256 && options.expectedSha256 !== sha256)
        throw new BlobHashMismatchError(options.expectedSha256, sha256);
      const created = await this.moveIntoPlace(temp, sha256);
      return { sha256: sha256 as Sha256, size, created };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') this.madeDirs.clear(); // someone removed a folder: make them again
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Takes over a complete local file (a finished resumable upload) whose hash is already known,
   * or hashes it first when `sha256` is omitted. The file is moved, not copied, when possible.
   */
  async adoptFile(path: string, sha256?: string): Promise<StoredBlob> {
    const digest = sha256 ?? (await sha256File(path)).sha256;
    const handle = await open(path, 'r+');
    let size: bigint;
    try {
      size = BigInt((await handle.stat()).size);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      const created = await this.moveIntoPlace(path, digest);
      return { sha256: digest as Sha256, size, created };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      // Another filesystem: copy through a verified temp file instead of renaming.
      const stored = await this.put(createReadStream(path), { expectedSha256: digest });
      await unlink(path);
      return stored;
    }
  }

  async stat(sha256: string): Promise<{ size: bigint } | undefined> {
    const info = await stat(this.pathOf(sha256)).catch(() => undefined);
    return info?.isFile() ? { size: BigInt(info.size) } : undefined;
  }

  read(sha256: string, range?: ByteRange): Readable {
    const stream = createReadStream(this.pathOf(sha256), { highWaterMark: 1 << 20, ...range });
    // Each read is a fresh 1 MiB buffer outside V8's heap: once many have been sent, free the spent
    // ones. Counted once the consumer starts the flow (a 'data' listener now would start it early).
    return stream.once('resume', () => stream.on('data', (chunk) => BodyBufferCollector.shared.consumed(chunk.length)));
  }

  async delete(sha256: string): Promise<void> {
    const path = this.pathOf(sha256);
    try {
      await unlink(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    // Without it a machine crash could bring the file back, with no row left to collect it again.
    await fsyncDirectory(dirname(path));
  }

  /** Renames a complete, fsynced file to its content address; identical bytes already there win. */
  private async moveIntoPlace(file: string, sha256: string): Promise<boolean> {
    const target = this.pathOf(sha256);
    if (await this.stat(sha256)) {
      await unlink(file).catch(() => undefined);
      return false;
    }
    await this.makeDir(dirname(target));
    await rename(file, target).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
      this.madeDirs.clear();
      await mkdir(dirname(target), { recursive: true });
      await rename(file, target);
    });
    await fsyncDirectory(dirname(target));
    return true;
  }

  private async makeDir(path: string): Promise<void> {
    if (this.madeDirs.has(path)) return;
    await mkdir(path, { recursive: true });
    this.madeDirs.add(path);
  }
}

async function fsyncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

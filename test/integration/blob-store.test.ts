import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobHashMismatchError, BlobTooLargeError } from '../../apps/api/src/contributions/storage/blob-store';
import { LocalBlobStore } from '../../apps/api/src/contributions/storage/local-disk/local-blob-store';
import { describeBlobStoreContract } from './blob-store.contract';

const ROOT = resolve(__dirname, '../..');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Every regular file under `dir`, relative. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describeBlobStoreContract('local disk', async () => {
  const root = await mkdtemp(join(tmpdir(), 'upstream-blobs-'));
  const store = new LocalBlobStore(join(root, 'blobs'), { uploadsDirectory: join(root, 'uploads') });
  const tempDir = join(root, 'blobs', '.tmp');
  return {
    store,
    tempObjects: async () => (existsSync(tempDir) ? await readdir(tempDir) : []),
    async leaveTempObject(ageMs) {
      await mkdir(tempDir, { recursive: true });
      const path = join(tempDir, `${randomBytes(12).toString('hex')}.part`);
      await writeFile(path, 'half an upload');
      const when = new Date(Date.now() - ageMs);
      await utimes(path, when, when);
    },
    async dispose() {
      store.close();
      await rm(root, { recursive: true, force: true });
    },
  };
});

describe('LocalBlobStore: a blob appears under its hash only when complete and verified', () => {
  let root: string;
  let store: LocalBlobStore;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'upstream-blobs-'));
    store = new LocalBlobStore(root);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('streams bytes in, hashes them on the way, and stores them under their SHA-256 (once)', async () => {
    const bytes = Buffer.from('hello, blob store');
    const stored = await store.put(Readable.from([bytes.subarray(0, 5), bytes.subarray(5)]));
    expect(stored).toEqual({ sha256: sha256(bytes), size: BigInt(bytes.length), created: true });
    expect(await readFile(store.pathOf(stored.sha256))).toEqual(bytes);
    expect(await store.put(Readable.from([bytes]))).toMatchObject({ created: false });
    expect(await filesUnder(root)).toEqual([store.pathOf(stored.sha256).slice(root.length + 1)]);
  });

  it('makes its folders again when they were removed while it ran', async () => {
    const first = await store.put(Readable.from([Buffer.from('first')]));
    await rm(root, { recursive: true, force: true });
    await expect(store.put(Readable.from([Buffer.from('first')]))).rejects.toMatchObject({ code: 'ENOENT' });
    const again = await store.put(Readable.from([Buffer.from('first')]));
    expect(again).toMatchObject({ sha256: first.sha256, created: true });
    expect(await readFile(store.pathOf(first.sha256), 'utf8')).toBe('first');
  });

  it('keeps nothing when the source fails midway', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(1024, 1));
        this.destroy(new Error('connection reset'));
      },
    });
    await expect(store.put(failing)).rejects.toThrow('connection reset');
    expect(await filesUnder(root)).toEqual([]);
  });

  it('keeps nothing when the bytes do not match the expected hash', async () => {
    const bytes = Buffer.from('actual bytes');
    await expect(
      store.put(Readable.from([bytes]), { expectedSha256: sha256(Buffer.from('other')) }),
    ).rejects.toBeInstanceOf(BlobHashMismatchError);
    expect(await store.stat(sha256(bytes))).toBeUndefined();
    expect(await filesUnder(root)).toEqual([]);
  });

  it('stops reading and keeps nothing past maxBytes', async () => {
    await expect(
      store.put(Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), { maxBytes: 1000 }),
    ).rejects.toBeInstanceOf(BlobTooLargeError);
    expect(await filesUnder(root)).toEqual([]);
  });

  it('adopts a finished file by moving it to its content address', async () => {
    const file = join(root, 'finished-upload');
    await writeFile(file, 'resumable upload, complete');
    const stored = await store.adoptFile(file);
    expect(stored.sha256).toBe(sha256(Buffer.from('resumable upload, complete')));
    expect(existsSync(file)).toBe(false);
    expect(await store.stat(stored.sha256)).toEqual({ size: 26n });
  });

  it('after a kill -9 mid-upload, leaves only a temp file (swept at start-up), never a blob', async () => {
    const tsx = join(ROOT, 'node_modules/tsx/dist/cli.mjs');
    const child = spawn(process.execPath, [tsx, join(__dirname, 'blob-store.crash-child.ts'), root], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((done, fail) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('writing') && done());
      child.once('exit', (code) => fail(new Error(`child exited (${code}) before writing: ${stderr}`)));
    });
    child.kill('SIGKILL');
    await new Promise((done) => child.once('exit', done));

    const left = await filesUnder(root);
    expect(left.length).toBe(1);
    expect(left[0]).toMatch(/^\.tmp\/[0-9a-f]+\.part$/);
    const partial = await readFile(join(root, left[0]));
    expect(partial.length).toBeGreaterThan(0);
    expect(await store.stat(sha256(partial))).toBeUndefined();

    expect(await store.sweepTemp()).toBe(1);
    expect(await filesUnder(root)).toEqual([]);
  });
});

// The blob-store port's contract: what every adapter (local disk today, S3 with issue 13) must do.
// An adapter's test file calls `describeBlobStoreContract(name, make)` with a factory for a fresh,
// empty store and the two hooks the suite cannot express through the port (temp objects).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { Upload } from '@tus/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BlobHashMismatchError,
  BlobTooLargeError,
  type BlobStore,
} from '../../apps/api/src/contributions/storage/blob-store';

export interface BlobStoreUnderTest {
  store: BlobStore;
  /** The unfinished writes the store holds now (local disk: files in `.tmp/`; S3: multipart uploads in progress). */
  tempObjects(): Promise<string[]>;
  /** Leaves an unfinished write behind, `ageMs` old, as a writer that crashed would. */
  leaveTempObject(ageMs: number): Promise<void>;
  /** Closes the store and removes everything it wrote. */
  dispose(): Promise<void>;
}

const HOUR = 60 * 60 * 1000;
/** More than one 1 MiB block and not a multiple of 4 KiB: the local adapter's direct and buffered paths both run. */
const BIG = 3 * (1 << 20) + 1234;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const chunksOf = (bytes: Buffer, size: number) =>
  Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/** A source that hands over `bytes` and then neither ends nor fails until `fail()` is called. */
function stallingSource(bytes: Buffer): { source: Readable; fail: (error: Error) => void } {
  let sent = false;
  const source = new Readable({
    read() {
      if (sent) return;
      sent = true;
      for (const chunk of chunksOf(bytes, 64 * 1024)) this.push(chunk);
    },
  });
  return { source, fail: (error) => source.destroy(error) };
}

export function describeBlobStoreContract(name: string, make: () => Promise<BlobStoreUnderTest>): void {
  describe(`BlobStore contract: ${name}`, () => {
    let t: BlobStoreUnderTest;
    let store: BlobStore;
    beforeEach(async () => {
      t = await make();
      store = t.store;
    });
    afterEach(() => t.dispose());

    describe('put and read', () => {
      it('stores streamed bytes under their SHA-256 and reads them back whole', async () => {
        const bytes = randomBytes(BIG);
        const stored = await store.put(Readable.from(chunksOf(bytes, 64 * 1024)));
        expect(stored).toEqual({ sha256: sha256(bytes), size: BigInt(BIG), created: true });
        expect((await readAll(store.read(stored.sha256))).equals(bytes)).toBe(true);
      });

      it('stores the same bytes once: a second put answers created: false', async () => {
        const bytes = Buffer.from('the same bytes twice');
        expect(await store.put(Readable.from([bytes]))).toMatchObject({ created: true });
        expect(await store.put(Readable.from([bytes]))).toEqual({
          sha256: sha256(bytes),
          size: BigInt(bytes.length),
          created: false,
        });
      });

      it('stores an empty blob', async () => {
        const stored = await store.put(Readable.from([]));
        expect(stored).toEqual({ sha256: sha256(Buffer.alloc(0)), size: 0n, created: true });
        expect(await store.stat(stored.sha256)).toEqual({ size: 0n });
      });

      it('reports the bytes as they arrive with onBytes', async () => {
        const seen: bigint[] = [];
        await store.put(Readable.from([Buffer.alloc(10), Buffer.alloc(5)]), { onBytes: (n) => seen.push(n) });
        expect(seen.at(-1)).toBe(15n);
      });
    });

    describe('refusals publish nothing', () => {
      it('refuses bytes that do not hash to the expected SHA-256, naming the actual one, and keeps nothing', async () => {
        const bytes = randomBytes(BIG);
        const expected = sha256(Buffer.from('other bytes'));
        const refused = store.put(Readable.from(chunksOf(bytes, 64 * 1024)), { expectedSha256: expected });
        await expect(refused).rejects.toBeInstanceOf(BlobHashMismatchError);
        await expect(refused).rejects.toMatchObject({ expected, actual: sha256(bytes) });
        expect(await store.stat(sha256(bytes))).toBeUndefined();
        expect(await store.stat(expected)).toBeUndefined();
        expect(await t.tempObjects()).toEqual([]);
      });

      it('accepts bytes that hash to the expected SHA-256', async () => {
        const bytes = Buffer.from('expected bytes');
        expect(await store.put(Readable.from([bytes]), { expectedSha256: sha256(bytes) })).toMatchObject({
          sha256: sha256(bytes),
          created: true,
        });
      });

      it('refuses past maxBytes and keeps nothing', async () => {
        const bytes = Buffer.alloc(1200, 7);
        await expect(store.put(Readable.from(chunksOf(bytes, 600)), { maxBytes: 1000 })).rejects.toBeInstanceOf(
          BlobTooLargeError,
        );
        expect(await store.stat(sha256(bytes))).toBeUndefined();
        expect(await store.stat(sha256(bytes.subarray(0, 1000)))).toBeUndefined();
        expect(await t.tempObjects()).toEqual([]);
      });
    });

    describe('interrupted writes leave nothing visible', () => {
      it('a source that fails midway: the put fails with its error, no blob under the prefix, no temp object', async () => {
        const prefix = randomBytes(2 * (1 << 20) + 100);
        let sent = false;
        const failing = new Readable({
          read() {
            if (sent) return this.destroy(new Error('connection reset'));
            sent = true;
            for (const chunk of chunksOf(prefix, 64 * 1024)) this.push(chunk);
          },
        });
        await expect(store.put(failing)).rejects.toThrow('connection reset');
        expect(await store.stat(sha256(prefix))).toBeUndefined();
        expect(await t.tempObjects()).toEqual([]);
      });

      it('while a write is in flight its bytes are under no hash; once it fails, none are left', async () => {
        const prefix = randomBytes(1 << 20);
        const { source, fail } = stallingSource(prefix);
        let arrived = 0n;
        const put = store.put(source, { onBytes: (n) => (arrived = n) });
        put.catch(() => undefined);
        await expect.poll(() => arrived, { timeout: 10_000 }).toBe(BigInt(prefix.length));
        expect(await store.stat(sha256(prefix))).toBeUndefined();
        fail(new Error('client went away'));
        await expect(put).rejects.toThrow('client went away');
        expect(await store.stat(sha256(prefix))).toBeUndefined();
        expect(await t.tempObjects()).toEqual([]);
      });
    });

    describe('ranges', () => {
      it('reads inclusive byte ranges: first byte, last byte, across a 1 MiB boundary, all of it', async () => {
        const bytes = randomBytes(BIG);
        const { sha256: digest } = await store.put(Readable.from(chunksOf(bytes, 64 * 1024)));
        const range = (start: number, end: number) => readAll(store.read(digest, { start, end }));
        expect(await range(0, 0)).toEqual(bytes.subarray(0, 1));
        expect(await range(BIG - 1, BIG - 1)).toEqual(bytes.subarray(BIG - 1));
        const across = await range((1 << 20) - 10, (1 << 20) + 9);
        expect(across.equals(bytes.subarray((1 << 20) - 10, (1 << 20) + 10))).toBe(true);
        expect((await range(0, BIG - 1)).equals(bytes)).toBe(true);
      });

      it('a read of a blob that is not stored fails the stream', async () => {
        await expect(text(store.read(sha256(Buffer.from('never stored'))))).rejects.toThrow();
      });
    });

    describe('exists (stat)', () => {
      it('answers undefined for a blob that is not stored, its size once it is', async () => {
        const bytes = Buffer.from('exists?');
        expect(await store.stat(sha256(bytes))).toBeUndefined();
        await store.put(Readable.from([bytes]));
        expect(await store.stat(sha256(bytes))).toEqual({ size: BigInt(bytes.length) });
      });
    });

    describe('delete', () => {
      it('removes one blob: it is no longer stored or readable, other blobs stay, the same bytes can be put again', async () => {
        const doomed = Buffer.from('bytes nobody registered');
        const kept = Buffer.from('bytes a dataset references');
        await store.put(Readable.from([doomed]));
        await store.put(Readable.from([kept]));

        await store.delete(sha256(doomed));

        expect(await store.stat(sha256(doomed))).toBeUndefined();
        await expect(text(store.read(sha256(doomed)))).rejects.toThrow();
        expect(await text(store.read(sha256(kept)))).toBe(kept.toString());
        expect(await store.put(Readable.from([doomed]))).toMatchObject({ sha256: sha256(doomed), created: true });
        expect(await text(store.read(sha256(doomed)))).toBe(doomed.toString());
      });

      it('is idempotent: deleting a blob twice, or one never stored, succeeds', async () => {
        const bytes = Buffer.from('deleted twice');
        await store.put(Readable.from([bytes]));
        await store.delete(sha256(bytes));
        await expect(store.delete(sha256(bytes))).resolves.toBeUndefined();
        await expect(store.delete(sha256(Buffer.from('never stored')))).resolves.toBeUndefined();
      });
    });

    describe('sweep of temp objects', () => {
      it('sweepTemp(age) removes only older temp objects; sweepTemp() removes the rest; blobs stay', async () => {
        const kept = await store.put(Readable.from([Buffer.from('a finished blob')]));
        await t.leaveTempObject(0);
        await t.leaveTempObject(2 * HOUR);
        expect(await t.tempObjects()).toHaveLength(2);
        expect(await store.sweepTemp(HOUR)).toBe(1);
        expect(await t.tempObjects()).toHaveLength(1);
        expect(await store.sweepTemp()).toBe(1);
        expect(await t.tempObjects()).toEqual([]);
        expect(await store.stat(kept.sha256)).toEqual({ size: kept.size });
      });

      it('open(), with no other writer alive, sweeps every temp object whatever its age', async () => {
        await t.leaveTempObject(0);
        await t.leaveTempObject(2 * HOUR);
        expect(await store.open(HOUR)).toMatchObject({ swept: 2 });
        expect(await t.tempObjects()).toEqual([]);
      });
    });

    describe('resumable uploads (the tus seam)', () => {
      async function created(size: number | undefined, metadata: Record<string, string> = {}): Promise<Upload> {
        const upload = new Upload({
          id: randomUUID().replaceAll('-', ''),
          size,
          offset: 0,
          metadata,
          creation_date: new Date().toISOString(),
        });
        await store.resumable.datastore.create(upload);
        return upload;
      }

      it('appends parts at their offsets, then publishes the whole under its hash', async () => {
        const bytes = randomBytes(BIG);
        const upload = await created(BIG);
        const half = 1_500_000;
        expect(
          await store.resumable.append(upload.id, Readable.from(chunksOf(bytes.subarray(0, half), 64 * 1024)), 0),
        ).toBe(half);
        expect((await store.resumable.datastore.getUpload(upload.id)).offset).toBe(half);
        upload.offset = await store.resumable.append(
          upload.id,
          Readable.from(chunksOf(bytes.subarray(half), 64 * 1024)),
          half,
        );
        expect(upload.offset).toBe(BIG);

        const stored = await store.resumable.publish(upload, sha256(bytes));
        expect(stored).toEqual({ sha256: sha256(bytes), size: BigInt(BIG), created: true });
        await store.resumable.forget(upload.id);
        expect((await readAll(store.read(stored.sha256))).equals(bytes)).toBe(true);
        await expect(store.resumable.datastore.getUpload(upload.id)).rejects.toMatchObject({ status_code: 404 });
      });

      it('a failed append keeps the bytes it wrote; the upload resumes from there', async () => {
        const bytes = randomBytes(2 * (1 << 20));
        const upload = await created(bytes.length);
        const { source, fail } = stallingSource(bytes.subarray(0, 1 << 20));
        const cut = store.resumable.append(upload.id, source, 0);
        setTimeout(() => fail(new Error('connection reset')), 200);
        await expect(cut).rejects.toBeDefined();
        const { offset } = await store.resumable.datastore.getUpload(upload.id);
        expect(offset).toBeLessThanOrEqual(1 << 20);
        upload.offset = await store.resumable.append(upload.id, Readable.from([bytes.subarray(offset)]), offset);
        expect(upload.offset).toBe(bytes.length);
        expect(await store.resumable.publish(upload)).toMatchObject({ sha256: sha256(bytes), created: true });
      });

      it('refuses to publish an upload that does not hash to the expected SHA-256: nothing published, the upload removed', async () => {
        const bytes = Buffer.from('resumable bytes, but not the promised ones');
        const upload = await created(bytes.length);
        upload.offset = await store.resumable.append(upload.id, Readable.from([bytes]), 0);
        const expected = sha256(Buffer.from('promised'));
        await expect(store.resumable.publish(upload, expected)).rejects.toMatchObject({
          name: 'BlobHashMismatchError',
          actual: sha256(bytes),
        });
        expect(await store.stat(sha256(bytes))).toBeUndefined();
        await expect(store.resumable.datastore.getUpload(upload.id)).rejects.toMatchObject({ status_code: 404 });
      });
    });
  });
}

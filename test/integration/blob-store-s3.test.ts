import {
  CreateMultipartUploadCommand,
  ListObjectsV2Command,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@tus/server';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdvisoryBlobWriters } from '../../apps/api/src/contributions/blobs/blob-writers.repository';
import { S3BlobStore } from '../../apps/api/src/contributions/storage/s3/s3-blob-store';
import { makeS3Client, S3Objects } from '../../apps/api/src/contributions/storage/s3/s3-objects';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { S3RVER_CREDENTIALS, startTestS3, testS3Location, type TestS3 } from '../support/s3';
import { describeBlobStoreContract } from './blob-store.contract';

let s3: TestS3;
let db: TestDatabase;
beforeAll(async () => {
  s3 = await startTestS3();
  db = await createTestDatabase();
});
afterAll(async () => {
  await s3?.stop();
  await db?.drop();
});

describeBlobStoreContract('S3 (s3rver)', async () => {
  const bucket = await s3.createBucket();
  const location = testS3Location(s3, bucket, 'blobs-under-test');
  const client = makeS3Client(location, S3RVER_CREDENTIALS);
  const objects = new S3Objects(client, location);
  // The writers' lock on this suite's PostgreSQL, one lock key per store, as the service makes it.
  const writers = new AdvisoryBlobWriters(async () => {
    const session = new Client({ connectionString: db.url });
    await session.connect();
    return {
      query: async (sql, params) => (await session.query(sql, params)).rows,
      release: () => session.end(),
    };
  }, `upstream:blob-writers:s3://${bucket}/${location.prefix}`);
  // Small parts, so that a few MiB already make a multipart upload of several parts.
  const store = new S3BlobStore(objects, { writers, partSize: 5 * 1024 * 1024 });
  return {
    store,
    /** Unfinished writes: multipart uploads in progress (but the resumable uploads') and temp objects. */
    async tempObjects() {
      const multipart = (await s3.multipartUploads(bucket))
        .filter((u) => !u.key.startsWith(`${location.prefix}/uploads/`))
        .map((u) => `${u.key}#${u.uploadId}`);
      const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${location.prefix}/tmp/` }));
      return [...multipart, ...(listed.Contents ?? []).map((o) => o.Key ?? '')];
    },
    /** A crashed writer's multipart upload: begun, one part sent, never completed. */
    async leaveTempObject(ageMs) {
      const key = objects.key(`tmp/${randomBytes(12).toString('hex')}`);
      const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
      await client.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: key,
          UploadId,
          PartNumber: 1,
          Body: Buffer.from('half an upload'),
        }),
      );
      await s3.ageMultipartUpload(bucket, UploadId ?? '', ageMs);
    },
    async dispose() {
      store.close();
      await writers.leave();
      client.destroy();
    },
  };
});

describe('S3 store: multipart uploads never leave anything behind', () => {
  const MiB = 1024 * 1024;
  const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
  let bucket: string;
  let client: S3Client;
  let objects: S3Objects;
  const stores: S3BlobStore[] = [];
  const replica = () => {
    const store = new S3BlobStore(objects, { partSize: 5 * MiB, uploadExpiryMs: 60_000 });
    stores.push(store);
    return store;
  };
  beforeAll(async () => {
    bucket = await s3.createBucket();
    const location = testS3Location(s3, bucket, 'multipart');
    client = makeS3Client(location, S3RVER_CREDENTIALS);
    objects = new S3Objects(client, location);
  });
  afterAll(() => client?.destroy());

  async function keys(prefix: string): Promise<string[]> {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `multipart/${prefix}` }));
    return (listed.Contents ?? []).map((o) => o.Key ?? '').sort();
  }

  it('a PUT that fails after several parts were sent aborts its multipart upload: no parts, no object', async () => {
    const sent = randomBytes(12 * MiB);
    let pushed = false;
    const failing = new Readable({
      read() {
        if (pushed) return; // then neither ends nor fails until destroyed below
        pushed = true;
        for (let at = 0; at < sent.length; at += 64 * 1024) this.push(sent.subarray(at, at + 64 * 1024));
      },
    });
    const put = replica().put(failing);
    put.catch(() => undefined);
    // Parts are on the server, in a multipart upload that has not been completed.
    await expect.poll(async () => (await s3.multipartUploads(bucket)).length, { timeout: 10_000 }).toBe(1);
    failing.destroy(new Error('connection reset'));
    await expect(put).rejects.toThrow('connection reset');
    expect(await s3.multipartUploads(bucket)).toEqual([]);
    expect(await keys('blobs/')).toEqual([]);
    expect(await keys('tmp/')).toEqual([]);
  });

  it('a multipart PUT to a promised SHA-256 that hashes otherwise is aborted before it completes: nothing under either hash', async () => {
    const bytes = randomBytes(11 * MiB + 17);
    const promised = sha256(Buffer.from('something else'));
    await expect(replica().put(Readable.from([bytes]), { expectedSha256: promised })).rejects.toMatchObject({
      name: 'BlobHashMismatchError',
      actual: sha256(bytes),
    });
    expect(await s3.multipartUploads(bucket)).toEqual([]);
    expect(await keys('blobs/')).toEqual([]);
  });

  it('a multipart PUT to its promised SHA-256 lands at that key directly, with no temp object', async () => {
    const bytes = randomBytes(11 * MiB + 17);
    const stored = await replica().put(Readable.from([bytes]), { expectedSha256: sha256(bytes) });
    expect(stored).toEqual({ sha256: sha256(bytes), size: BigInt(bytes.length), created: true });
    expect(await keys('blobs/')).toEqual([`multipart/blobs/${sha256(bytes)}`]);
    expect(await keys('tmp/')).toEqual([]);
    await replica().delete(stored.sha256);
  });

  it('a resumable upload begun on one replica resumes on another from the bucket alone (offset, parts, tail), and is hashed from the bucket there', async () => {
    const bytes = randomBytes(12 * MiB + 4321);
    const id = randomBytes(16).toString('hex');
    const first = replica();
    await first.resumable.datastore.create(
      new Upload({ id, size: bytes.length, offset: 0, metadata: {}, creation_date: new Date().toISOString() }),
    );
    // 7 MiB + 100 bytes: one 5 MiB part sent, the rest waits in the tail.
    const cut = 7 * MiB + 100;
    expect(await first.resumable.append(id, Readable.from([bytes.subarray(0, cut)]), 0)).toBe(cut);
    expect(await keys(`uploads/${id}`)).toEqual([`multipart/uploads/${id}.info`, `multipart/uploads/${id}.tail`]);
    expect(await s3.multipartUploads(bucket)).toHaveLength(1);

    const second = replica();
    const upload = await second.resumable.datastore.getUpload(id);
    expect(upload.offset).toBe(cut);
    // A PATCH at the wrong offset is refused and changes nothing.
    await expect(second.resumable.append(id, Readable.from([Buffer.from('x')]), cut - 1)).rejects.toMatchObject({
      status_code: 409,
    });
    upload.offset = await second.resumable.append(id, Readable.from([bytes.subarray(cut)]), cut);
    expect(upload.offset).toBe(bytes.length);

    const stored = await second.resumable.publish(upload, sha256(bytes));
    expect(stored).toEqual({ sha256: sha256(bytes), size: BigInt(bytes.length), created: true });
    await second.resumable.forget(id);
    expect(await keys('uploads/')).toEqual([]);
    expect(await s3.multipartUploads(bucket)).toEqual([]);
    const back: Buffer[] = [];
    for await (const part of first.read(stored.sha256)) back.push(part as Buffer);
    expect(Buffer.concat(back).equals(bytes)).toBe(true);
  });

  it('terminating or expiring a resumable upload aborts its multipart upload and deletes its objects; sweepTemp leaves live ones alone', async () => {
    const store = replica();
    const make = async (creation: Date) => {
      const id = randomBytes(16).toString('hex');
      await store.resumable.datastore.create(
        new Upload({ id, size: 20 * MiB, offset: 0, metadata: {}, creation_date: creation.toISOString() }),
      );
      await store.resumable.append(id, Readable.from([randomBytes(6 * MiB)]), 0);
      return id;
    };
    const live = await make(new Date());
    const expired = await make(new Date(Date.now() - 2 * 60_000));
    const terminated = await make(new Date());
    expect(await s3.multipartUploads(bucket)).toHaveLength(3);

    expect(await store.sweepTemp(0)).toBe(0);
    expect(await s3.multipartUploads(bucket)).toHaveLength(3);

    await store.resumable.datastore.remove(terminated);
    expect(await store.resumable.datastore.deleteExpired()).toBe(1);
    expect((await s3.multipartUploads(bucket)).map((u) => u.key)).toEqual([`multipart/uploads/${live}`]);
    expect(await keys('uploads/')).toEqual([`multipart/uploads/${live}.info`, `multipart/uploads/${live}.tail`]);
    await expect(store.resumable.datastore.getUpload(expired)).rejects.toMatchObject({ status_code: 404 });
    await store.resumable.datastore.remove(live);
    expect(await keys('uploads/')).toEqual([]);
  });

  it('open() beside another writer sweeps only multipart uploads over a day old: a long PUT of another replica stays', async () => {
    const bucket2 = await s3.createBucket();
    const location = testS3Location(s3, bucket2, 'shared');
    const client2 = makeS3Client(location, S3RVER_CREDENTIALS);
    const writersOf = () =>
      new AdvisoryBlobWriters(async () => {
        const session = new Client({ connectionString: db.url });
        await session.connect();
        return { query: async (sql, params) => (await session.query(sql, params)).rows, release: () => session.end() };
      }, `upstream:blob-writers:s3://${bucket2}/shared`);
    const running = writersOf();
    const starting = writersOf();
    try {
      expect(
        await new S3BlobStore(new S3Objects(client2, location), { writers: running }).open(3600_000),
      ).toMatchObject({
        alone: true,
      });
      const leave = async (ageMs: number) => {
        const key = `shared/tmp/${randomBytes(8).toString('hex')}`;
        const { UploadId } = await client2.send(new CreateMultipartUploadCommand({ Bucket: bucket2, Key: key }));
        await s3.ageMultipartUpload(bucket2, UploadId ?? '', ageMs);
        return key;
      };
      const longPut = await leave(3 * 3600_000);
      await leave(25 * 3600_000);
      const second = new S3BlobStore(new S3Objects(client2, location), { writers: starting });
      expect(await second.open(3600_000)).toEqual({ swept: 1, alone: false });
      expect((await s3.multipartUploads(bucket2)).map((u) => u.key)).toEqual([longPut]);
    } finally {
      await starting.leave();
      await running.leave();
      client2.destroy();
    }
  });
});

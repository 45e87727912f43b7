import { CreateMultipartUploadCommand, ListObjectsV2Command, UploadPartCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { afterAll, beforeAll } from 'vitest';
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

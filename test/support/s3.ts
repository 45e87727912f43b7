// An S3-compatible server on loopback for tests: s3rver (storing on disk in a throwaway folder).
// s3rver 3.7 answers every operation the S3 blob store uses but three of the multipart
// bookkeeping ones, AbortMultipartUpload, ListMultipartUploads and (not used here) ListParts. The
// two the store needs are answered here from s3rver's own on-disk state of multipart uploads
// (`<dir>/<bucket>/._S3rver_uploads/<uploadId>/`, holding `key` and the parts), so that aborting and
// sweeping are tested against the same server that received the parts. Everything else is s3rver's.
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, utimes } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { makeS3Client, type S3Location } from '../../apps/api/src/contributions/storage/s3/s3-objects';

export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface TestS3 {
  endpoint: string;
  directory: string;
  /** A new, empty bucket (3+ characters, as S3 requires). */
  createBucket(name?: string): Promise<string>;
  /** Multipart uploads in progress in a bucket: key and upload id. */
  multipartUploads(bucket: string): Promise<{ key: string; uploadId: string }[]>;
  /** Makes a multipart upload look `ageMs` old. */
  ageMultipartUpload(bucket: string, uploadId: string, ageMs: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestS3(): Promise<TestS3> {
  const directory = await mkdtemp(join(tmpdir(), 'upstream-s3-'));
  const s3rver = new S3rver({ directory, silent: true, resetOnClose: false });
  const handle = s3rver.callback();
  const uploadsDir = (bucket: string) => join(directory, bucket, '._S3rver_uploads');

  async function uploadsOf(bucket: string) {
    const dir = uploadsDir(bucket);
    if (!existsSync(dir)) return [];
    const found: { key: string; uploadId: string; initiated: Date }[] = [];
    for (const uploadId of await readdir(dir)) {
      const key = await readFile(join(dir, uploadId, 'key'), 'utf8').catch(() => undefined);
      if (key !== undefined) found.push({ key, uploadId, initiated: (await stat(join(dir, uploadId))).mtime });
    }
    return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://s3');
    const [, bucket, ...keyParts] = url.pathname.split('/').filter((part, i) => i === 0 || part !== '');
    const uploadId = url.searchParams.get('uploadId');
    if (req.method === 'DELETE' && uploadId !== null && keyParts.length > 0) {
      // AbortMultipartUpload
      const dir = join(uploadsDir(bucket), uploadId.replace(/[^0-9a-f]/g, ''));
      if (!existsSync(dir))
        return void res.writeHead(404, { 'content-type': 'application/xml' }).end(noSuchUpload(uploadId));
      void rm(dir, { recursive: true, force: true }).then(() => res.writeHead(204).end());
      return;
    }
    if (req.method === 'GET' && keyParts.length === 0 && url.searchParams.has('uploads')) {
      // ListMultipartUploads (one page)
      const prefix = url.searchParams.get('prefix') ?? '';
      void uploadsOf(bucket).then((all) => {
        const uploads = all.filter((u) => u.key.startsWith(prefix));
        res
          .writeHead(200, { 'content-type': 'application/xml' })
          .end(
            `<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
              `<Bucket>${bucket}</Bucket><Prefix>${xml(prefix)}</Prefix><MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>` +
              uploads
                .map(
                  (u) =>
                    `<Upload><Key>${xml(u.key)}</Key><UploadId>${u.uploadId}</UploadId><Initiated>${u.initiated.toISOString()}</Initiated><StorageClass>STANDARD</StorageClass></Upload>`,
                )
                .join('') +
              `</ListMultipartUploadsResult>`,
          );
      });
      return;
    }
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('s3rver did not listen');
  const endpoint = `http://127.0.0.1:${address.port}`;
  const client = makeS3Client({ bucket: 'any', prefix: '', endpoint }, S3RVER_CREDENTIALS);
  let buckets = 0;

  return {
    endpoint,
    directory,
    async createBucket(name = `bucket-${process.pid}-${++buckets}-${Date.now().toString(36)}`) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
      return name;
    },
    async multipartUploads(bucket) {
      return (await uploadsOf(bucket)).map(({ key, uploadId }) => ({ key, uploadId }));
    },
    async ageMultipartUpload(bucket, uploadId, ageMs) {
      const when = new Date(Date.now() - ageMs);
      await utimes(join(uploadsDir(bucket), uploadId), when, when);
    },
    async stop() {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** The location of a bucket (and prefix) on the test server. */
export function testS3Location(s3: TestS3, bucket: string, prefix = 'upstream'): S3Location {
  return { bucket, prefix, endpoint: s3.endpoint };
}

/** The settings that put a built service's blobs in a bucket (and prefix) on the test server. */
export function s3ServiceEnv(s3: TestS3, bucket: string, prefix: string): Record<string, string> {
  return {
    BLOB_STORE_URL: `s3://${bucket}/${prefix}`,
    S3_ENDPOINT: s3.endpoint,
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
  };
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function noSuchUpload(uploadId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message><UploadId>${xml(uploadId)}</UploadId></Error>`;
}

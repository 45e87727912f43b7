// The journey "contributor uploads, lab licenses and downloads" with the blobs in an S3 bucket
// (BLOB_STORE_URL=s3://…, s3rver on loopback): PUT /blobs and a tus upload land in the bucket, a
// licensed download is served with ranges from there, and a second API process on the same
// database and bucket (a replica) with BLOB_REDIRECT=presigned sends the licensee to a
// short-lived presigned URL, after the same access checks.
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildContentTree, type UpstreamDomain } from '@upstream/provenance';
import { signRegistration } from '../../apps/cli/src/contribution/registration';
import { DeliveryAccessService } from '../../apps/api/src/access/delivery/delivery-access.service';
import { makeS3Client } from '../../apps/api/src/contributions/storage/s3/s3-objects';
import { startTestApp, startTestAppOn, type TestApp } from '../support/app';
import { signLicense } from '../support/catalogue-fixtures';
import { CLI_BUILT, runCli } from '../support/cli';
import { S3RVER_CREDENTIALS, startTestS3, type TestS3 } from '../support/s3';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const MiB = 1024 * 1024;
const OWNER = 3;
const LAB = 4;
const STRANGER = 5;

describe('blobs in S3: upload, register, license, download (and a presigned redirect from a replica)', () => {
  let s3: TestS3;
  let bucket: string;
  let t: TestApp;
  let replica: TestApp;
  let dataDir: string;
  let domain: UpstreamDomain;
  const savedEnv = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };

  beforeAll(async () => {
    s3 = await startTestS3();
    bucket = await s3.createBucket();
    // The standard AWS credential chain: here, the environment.
    process.env.AWS_ACCESS_KEY_ID = S3RVER_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = S3RVER_CREDENTIALS.secretAccessKey;
    dataDir = await mkdtemp(join(tmpdir(), 'upstream-s3-e2e-'));
    const env = { DATA_DIR: dataDir, BLOB_STORE_URL: `s3://${bucket}/e2e`, S3_ENDPOINT: s3.endpoint };
    t = await startTestApp(env, { validateResponses: true });
    replica = await startTestAppOn(t.database, t.chain, {
      ...env,
      BLOB_REDIRECT: 'presigned',
      BLOB_REDIRECT_TTL_SECONDS: '60',
    });
    domain = (await t.http.get('/chain').expect(200)).body.eip712Domain;
  });
  afterAll(async () => {
    await replica?.close();
    await t?.close();
    await s3?.stop();
    await rm(dataDir, { recursive: true, force: true });
    process.env.AWS_ACCESS_KEY_ID = savedEnv.id;
    process.env.AWS_SECRET_ACCESS_KEY = savedEnv.secret;
    if (savedEnv.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
    if (savedEnv.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
  });

  async function bucketKeys(prefix: string): Promise<string[]> {
    const client = makeS3Client({ bucket, prefix: '', endpoint: s3.endpoint }, S3RVER_CREDENTIALS);
    try {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      return (listed.Contents ?? []).map((o) => o.Key ?? '').sort();
    } finally {
      client.destroy();
    }
  }

  const plain = randomBytes(9 * MiB + 123); // more than one 8 MiB part: a multipart PUT
  const resumable = randomBytes(3 * MiB + 77);
  let dataset: { id: string; contentRoot: string; license: { termsHash: string } };

  it('/health reports the bucket', async () => {
    const health = await t.http.get('/health').expect(200);
    expect(health.body.info.blobStore).toMatchObject({ status: 'up', kind: 's3', location: `s3://${bucket}/e2e` });
  });

  it('PUT /blobs streams into the bucket under the SHA-256; nothing is written to the local disk', async () => {
    const owner = await t.as(OWNER);
    const put = await owner.put('/blobs').set('content-type', 'application/octet-stream').send(plain).expect(200);
    expect(put.body).toEqual({ sha256: sha256(plain), size: String(plain.length), created: true });
    expect(await bucketKeys('e2e/')).toEqual([`e2e/blobs/${sha256(plain)}`]);
    expect(await s3.multipartUploads(bucket)).toEqual([]);
    const local = existsSync(join(dataDir, 'blobs')) ? await readdir(join(dataDir, 'blobs'), { recursive: true }) : [];
    expect(local).toEqual([]);
  });

  it('a tus upload goes to the bucket in PATCHes, resumes after HEAD on the replica, and is published under its hash', async () => {
    const token = await t.tokenOf(OWNER);
    const tus = (base: string, path: string, method: string, headers: Record<string, string>, body?: Buffer) =>
      fetch(new URL(path, base), {
        method,
        headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', ...headers },
        body,
      });
    const created = await tus(t.baseUrl, '/uploads', 'POST', {
      'upload-length': String(resumable.length),
      'upload-metadata': `sha256 ${Buffer.from(sha256(resumable)).toString('base64')},filename ${Buffer.from('b.bin').toString('base64')}`,
    });
    expect(created.status).toBe(201);
    const location = created.headers.get('location') ?? '';
    const half = 2 * MiB + 5;
    const first = await tus(
      t.baseUrl,
      location,
      'PATCH',
      { 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' },
      resumable.subarray(0, half),
    );
    expect(first.status).toBe(204);
    expect(first.headers.get('upload-offset')).toBe(String(half));

    // The other API process knows the upload: its state is in the bucket, not in the first one's memory.
    const head = await tus(replica.baseUrl, location, 'HEAD', {});
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-offset')).toBe(String(half));
    const last = await tus(
      replica.baseUrl,
      location,
      'PATCH',
      { 'content-type': 'application/offset+octet-stream', 'upload-offset': String(half) },
      resumable.subarray(half),
    );
    expect(last.status).toBe(204);
    expect(last.headers.get('upload-sha256')).toBe(sha256(resumable));
    expect(await bucketKeys('e2e/blobs/')).toContain(`e2e/blobs/${sha256(resumable)}`);
    expect(await bucketKeys('e2e/uploads/')).toEqual([]);
    expect(await s3.multipartUploads(bucket)).toEqual([]);
  });

  it('the upload lock spans replicas: a HEAD on one process stops a PATCH in flight on the other, which answers with what it has', async () => {
    const token = await t.tokenOf(OWNER);
    const auth = { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0' };
    const created = await fetch(new URL('/uploads', t.baseUrl), {
      method: 'POST',
      headers: { ...auth, 'upload-length': String(4 * MiB) },
    });
    expect(created.status).toBe(201);
    const location = created.headers.get('location') ?? '';
    // A body that sends 1 MiB and then neither ends nor fails: a stalled client.
    const sent = randomBytes(MiB);
    let stalled!: () => void;
    const stalledNow = new Promise<void>((resolve) => (stalled = resolve));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(sent);
        stalled();
      },
    });
    const patch = fetch(new URL(location, t.baseUrl), {
      method: 'PATCH',
      headers: { ...auth, 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' },
      body,
      duplex: 'half',
    });
    await stalledNow;
    await new Promise((resolve) => setTimeout(resolve, 300)); // the first process holds the lock and the bytes

    const head = await fetch(new URL(location, replica.baseUrl), { method: 'HEAD', headers: auth });
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-offset')).toBe(String(MiB));
    const answered = await patch;
    expect(answered.status).toBe(204);
    expect(answered.headers.get('upload-offset')).toBe(String(MiB));
    await fetch(new URL(location, replica.baseUrl), { method: 'DELETE', headers: auth });
  });

  it('registers both files as a licensed dataset', async () => {
    const tree = await buildContentTree([
      { path: 'a.bin', size: BigInt(plain.length), sha256: sha256(plain) },
      { path: 'b.bin', size: BigInt(resumable.length), sha256: sha256(resumable) },
    ]);
    const body = await signRegistration(new Wallet(t.chain.privateKey(OWNER)), {
      entries: [...tree.entries],
      contentRoot: tree.root,
      title: 'two files in a bucket',
      license: { template: 'research-only' },
      domain,
    });
    const res = await (await t.as(OWNER)).post('/datasets').send(body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.accessPolicy).toBe('licensed');
    dataset = res.body as typeof dataset;
  });

  it('serves the bytes from the bucket to the licensee only, whole and by range', async () => {
    const content = `/datasets/${dataset.id}/files/content?path=a.bin`;
    expect((await t.http.get(content).expect(401)).body.error).toBe('UNAUTHENTICATED');
    expect((await (await t.as(LAB)).get(content).expect(403)).body.error).toBe('LICENSE_REQUIRED');

    const lab = new Wallet(t.chain.privateKey(LAB));
    const license = await t.http
      .post('/licenses')
      .send(await signLicense(lab, domain, { datasetId: dataset.contentRoot, termsHash: dataset.license.termsHash }))
      .expect(201);
    expect(license.body.license.status).toBe('active');

    const licensee = await t.as(LAB);
    const whole = await licensee.get(content).buffer(true).expect(200);
    expect(sha256(Buffer.from(whole.body as Buffer))).toBe(sha256(plain));
    const across = await licensee
      .get(content)
      .set('Range', `bytes=${8 * MiB - 10}-${8 * MiB + 9}`)
      .buffer(true)
      .expect(206);
    expect(across.headers['content-range']).toBe(`bytes ${8 * MiB - 10}-${8 * MiB + 9}/${plain.length}`);
    expect(Buffer.from(across.body as Buffer).equals(plain.subarray(8 * MiB - 10, 8 * MiB + 10))).toBe(true);
    const tail = await licensee
      .get(`/blobs/${sha256(resumable)}`)
      .set('Range', 'bytes=-100')
      .buffer(true)
      .expect(206);
    expect(Buffer.from(tail.body as Buffer).equals(resumable.subarray(resumable.length - 100))).toBe(true);
  });

  it('with BLOB_REDIRECT=presigned the replica checks access exactly as before, then answers 302 to a short-lived URL of the object', async () => {
    const content = `/datasets/${dataset.id}/files/content?path=a.bin`;
    expect((await replica.http.get(content).expect(401)).body.error).toBe('UNAUTHENTICATED');
    const stranger = await (await replica.as(STRANGER)).get(content).expect(403);
    expect(stranger.body.error).toBe('LICENSE_REQUIRED');
    expect(stranger.headers.location).toBeUndefined();

    const licensee = await replica.as(LAB);
    const redirected = await licensee.get(content).redirects(0).expect(302);
    expect(redirected.headers['cache-control']).toBe('private, no-store');
    const url = new URL(redirected.headers.location);
    expect(url.origin).toBe(s3.endpoint);
    expect(url.pathname).toBe(`/${bucket}/e2e/blobs/${sha256(plain)}`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');

    // The URL serves the bytes by itself, ranges included, with no credential of ours.
    const whole = await fetch(url);
    expect(whole.status).toBe(200);
    expect(sha256(Buffer.from(await whole.arrayBuffer()))).toBe(sha256(plain));
    const part = await fetch(url, { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer()).equals(plain.subarray(100, 200))).toBe(true);
    // Signed with the store's credentials (checking SigV4 signatures is the object store's part:
    // s3rver accepts any, so a forged one cannot be refused here).
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^S3RVER\//);
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);

    // A client that follows redirects (fetch, the CLI) gets the bytes; the delivery is on record.
    const followed = await fetch(new URL(`/blobs/${sha256(resumable)}`, replica.baseUrl), {
      headers: { authorization: `Bearer ${await replica.tokenOf(LAB)}`, range: 'bytes=10-19' },
    });
    expect(followed.status).toBe(206);
    expect(Buffer.from(await followed.arrayBuffer()).equals(resumable.subarray(10, 20))).toBe(true);
    await replica.app.get(DeliveryAccessService).flush();
    const deliveries = await (await t.as(OWNER)).get(`/datasets/${dataset.id}/deliveries`).expect(200);
    expect(deliveries.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ account: lab().toLowerCase(), firstByte: '10', bytes: '10' }),
        expect.objectContaining({ account: lab().toLowerCase(), firstByte: '0', bytes: String(plain.length) }),
      ]),
    );
    // A resumed download (If-Range on the SHA-256, which the store's ETags are not) is served here.
    const resumed = await licensee
      .get(content)
      .set('Range', 'bytes=5-9')
      .set('If-Range', `"${sha256(plain)}"`)
      .buffer(true)
      .expect(206);
    expect(Buffer.from(resumed.body as Buffer).equals(plain.subarray(5, 10))).toBe(true);
    // HEAD is answered by the API itself (no bytes, nothing to redirect).
    const head = await licensee.head(content).expect(200);
    expect(head.headers['content-length']).toBe(String(plain.length));
  });

  it.skipIf(!CLI_BUILT)(
    '`upstream download` from the replica follows the redirects, resumes a .part (If-Range: served by the API), and verifies every file',
    async () => {
      const out = join(dataDir, 'download');
      const cli = (args: string[]) =>
        runCli(['--api', replica.baseUrl, '--json', ...args], {
          UPSTREAM_HOME: join(dataDir, 'cli-home'),
          UPSTREAM_PRIVATE_KEY: t.chain.privateKey(LAB),
          UPSTREAM_API_KEY: '',
        });
      const first = await cli(['download', dataset.id, '--out', out]);
      expect(first.code, first.stderr).toBe(0);
      expect(JSON.parse(first.stdout)).toMatchObject({ files: 2, alreadyThere: 0, resumed: 0 });
      expect((await readFile(join(out, 'a.bin'))).equals(plain)).toBe(true);
      expect((await readFile(join(out, 'b.bin'))).equals(resumable)).toBe(true);

      // An interrupted run: a.bin had only its first 3 MiB.
      await rm(join(out, 'a.bin'));
      await writeFile(join(out, 'a.bin.part'), plain.subarray(0, 3 * MiB));
      const again = await cli(['download', dataset.id, '--out', out]);
      expect(again.code, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ files: 2, resumed: 1, fetchedBytes: plain.length - 3 * MiB });
      expect((await readFile(join(out, 'a.bin'))).equals(plain)).toBe(true);
    },
  );

  const lab = () => new Wallet(t.chain.privateKey(LAB)).address;
});

describe('blobs in S3, with the object store gone', () => {
  it('answers 503 BLOB_STORE_UNAVAILABLE naming blobStore, with Retry-After, not a 500', async () => {
    const s3 = await startTestS3();
    const bucket = await s3.createBucket();
    const dataDir = await mkdtemp(join(tmpdir(), 'upstream-s3-down-'));
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = S3RVER_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = S3RVER_CREDENTIALS.secretAccessKey;
    const t = await startTestApp({
      DATA_DIR: dataDir,
      BLOB_STORE_URL: `s3://${bucket}/down`,
      S3_ENDPOINT: s3.endpoint,
    });
    try {
      const owner = await t.as(OWNER);
      const stored = randomBytes(1000);
      await owner.put('/blobs').set('content-type', 'application/octet-stream').send(stored).expect(200);
      await s3.stop();
      const health = await t.http.get('/health').expect(503);
      expect(health.body.error.blobStore).toMatchObject({ status: 'down' });
      expect(health.body.info.database).toMatchObject({ status: 'up' });

      const put = await owner.put('/blobs').set('content-type', 'application/octet-stream').send(randomBytes(1000));
      expect(put.status).toBe(503);
      expect(put.headers['retry-after']).toBeDefined();
      expect(put.body).toMatchObject({ error: 'BLOB_STORE_UNAVAILABLE', details: [{ field: 'blobStore' }] });
      const get = await owner.get(`/blobs/${sha256(stored)}`);
      expect(get.status).toBe(503);
      expect(get.body.error).toBe('BLOB_STORE_UNAVAILABLE');
      const tus = await fetch(new URL('/uploads', t.baseUrl), {
        method: 'POST',
        headers: { authorization: `Bearer ${await t.tokenOf(OWNER)}`, 'tus-resumable': '1.0.0', 'upload-length': '10' },
      });
      expect(tus.status).toBe(503);
      expect(((await tus.json()) as { error: string }).error).toBe('BLOB_STORE_UNAVAILABLE');
    } finally {
      await t.close();
      await rm(dataDir, { recursive: true, force: true });
      process.env.AWS_ACCESS_KEY_ID = saved.id;
      process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    }
  });
});

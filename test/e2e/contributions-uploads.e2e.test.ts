import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Wallet } from 'ethers';
import type TestAgent from 'supertest/lib/agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { withClient } from '../support/pg-client';

const ROOT = resolve(__dirname, '../..');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('contributions: resumable uploads and a 10,000-file folder', () => {
  let t: TestApp;
  let work: string;
  /** The uploader (dev account 3): every upload here is its own. */
  let alice: TestAgent;
  /** Another signed-in account (dev account 4). */
  let bob: TestAgent;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'upstream-uploads-'));
    t = await startTestApp({ DATA_DIR: join(work, 'data'), UPLOAD_RATE_LIMIT_PER_MINUTE: '1000000' });
    [alice, bob] = await Promise.all([t.as(3), t.as(4)]);
  });
  afterAll(async () => {
    await t?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /**
   * Nothing is kept under `digest`: no row, no file in the store, and even the uploader gets 404 for it
   * (bytes it did store, it may read back).
   */
  async function expectNotStored(digest: string) {
    const rows = await withClient(t.database.url, (c) =>
      c.query(`SELECT 1 FROM blobs WHERE sha256 = $1`, [digest]).then((r) => r.rows),
    );
    expect(rows).toEqual([]);
    expect(existsSync(join(work, 'data', 'blobs', digest.slice(0, 2), digest.slice(2, 4), digest))).toBe(false);
    const res = await alice.get(`/blobs/${digest}`).expect(404);
    expect(res.body).toMatchObject({ error: 'BLOB_NOT_FOUND', details: [{ field: 'sha256' }] });
  }

  it('refuses an anonymous upload with 401, by PUT or by tus, and keeps nothing', async () => {
    const bytes = Buffer.from('sent without signing in');
    for (const path of ['/blobs', `/blobs/${sha256(bytes)}`]) {
      const res = await t.http.put(path).set('content-type', 'application/octet-stream').send(bytes).expect(401);
      expect(res.body).toMatchObject({ error: 'UNAUTHENTICATED', details: [{ field: 'authorization' }] });
    }
    const missing = await t.http
      .post('/blobs/missing')
      .send({ sha256s: [sha256(bytes)] })
      .expect(401);
    expect(missing.body.error).toBe('UNAUTHENTICATED');
    // Signed in, the same question is answered: the bytes sent anonymously are not there.
    const asked = await alice
      .post('/blobs/missing')
      .send({ sha256s: [sha256(bytes)] })
      .expect(200);
    expect(asked.body.missing).toEqual([sha256(bytes)]);
    const tus = await t.http.post('/uploads').set('Tus-Resumable', '1.0.0').set('Upload-Length', '10').expect(401);
    expect(JSON.parse(tus.text)).toMatchObject({ error: 'UNAUTHENTICATED' });
    await expectNotStored(sha256(bytes));
  });

  it('resumes an interrupted tus upload; the half-sent file is never a blob', async () => {
    const bytes = Buffer.from(Array.from({ length: 200_000 }, (_, i) => i % 251));
    const digest = sha256(bytes);
    const created = await alice
      .post('/uploads')
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Length', String(bytes.length))
      .set('Upload-Metadata', `sha256 ${Buffer.from(digest).toString('base64')}`)
      .expect(201);
    const location = created.headers.location;
    expect(location).toMatch(/^\/uploads\/[0-9a-f]+$/);

    const half = 80_000;
    await alice
      .patch(location)
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Offset', '0')
      .set('content-type', 'application/offset+octet-stream')
      .send(bytes.subarray(0, half))
      .expect(204);
    await expectNotStored(digest);

    // The client comes back (say, after a dropped connection) and asks where to continue.
    const head = await alice.head(location).set('Tus-Resumable', '1.0.0').expect(200);
    expect(head.headers['upload-offset']).toBe(String(half));
    const done = await alice
      .patch(location)
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Offset', String(half))
      .set('content-type', 'application/offset+octet-stream')
      .send(bytes.subarray(half))
      .expect(204);
    expect(done.headers['upload-sha256']).toBe(digest);

    // The uploader reads its bytes back; they are in no dataset, so to anyone else they are not there.
    const blob = await alice.get(`/blobs/${digest}`).buffer(true).expect(200);
    expect(Buffer.compare(blob.body, bytes)).toBe(0);
    expect((await bob.get(`/blobs/${digest}`).expect(404)).body.error).toBe('BLOB_NOT_FOUND');
    expect((await t.http.get(`/blobs/${digest}`).expect(404)).body.error).toBe('BLOB_NOT_FOUND');

    // Stored now: POST /blobs/missing leaves it out; the others come back once each, in the order asked.
    const [x, y] = ['0x' + 'AB'.repeat(32), 'cd'.repeat(32)];
    const none = await alice
      .post('/blobs/missing')
      .send({ sha256s: [digest] })
      .expect(200);
    expect(none.headers['content-type']).toMatch(/^application\/json/);
    expect(none.body).toEqual({ missing: [] });
    const some = await alice
      .post('/blobs/missing')
      .send({ sha256s: [y, digest, x, y] })
      .expect(200);
    expect(some.body).toEqual({ missing: ['cd'.repeat(32), 'ab'.repeat(32)] });
  });

  it('keeps a tus upload its creator’s: another account gets 404 on HEAD, PATCH and DELETE, and the upload goes on', async () => {
    const bytes = Buffer.from(Array.from({ length: 20_000 }, (_, i) => (i * 3) % 256));
    const created = await alice
      .post('/uploads')
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Length', String(bytes.length))
      .expect(201);
    const location = created.headers.location;
    const patch = (as: TestAgent, offset: number, body: Buffer) =>
      as
        .patch(location)
        .set({ 'Tus-Resumable': '1.0.0', 'content-type': 'application/offset+octet-stream' })
        .set('Upload-Offset', String(offset))
        .send(body);
    await patch(alice, 0, bytes.subarray(0, 5000)).expect(204);

    // To anyone but its creator the upload does not exist: the same 404 as an unknown id.
    expect((await bob.head(location).set('Tus-Resumable', '1.0.0')).status).toBe(404);
    const foreignPatch = await patch(bob, 5000, Buffer.alloc(100, 9));
    expect(foreignPatch.status).toBe(404);
    expect(JSON.parse(foreignPatch.text)).toMatchObject({ error: 'UPLOAD_NOT_FOUND', details: [{ field: 'id' }] });
    const foreignDelete = await bob.delete(location).set('Tus-Resumable', '1.0.0');
    expect(foreignDelete.status).toBe(404);
    expect(JSON.parse(foreignDelete.text)).toMatchObject({ error: 'UPLOAD_NOT_FOUND', details: [{ field: 'id' }] });
    // Without a session: 401 before anything is looked up.
    expect((await t.http.head(location).set('Tus-Resumable', '1.0.0')).status).toBe(401);
    expect((await t.http.delete(location).set('Tus-Resumable', '1.0.0')).status).toBe(401);

    // None of that touched it: its creator goes on from where it stood.
    const head = await alice.head(location).set('Tus-Resumable', '1.0.0').expect(200);
    expect(head.headers['upload-offset']).toBe('5000');
    const done = await patch(alice, 5000, bytes.subarray(5000)).expect(204);
    expect(done.headers['upload-sha256']).toBe(sha256(bytes));
    // And its creator may still delete an upload of its own.
    const other = await alice.post('/uploads').set('Tus-Resumable', '1.0.0').set('Upload-Length', '10').expect(201);
    await alice.delete(other.headers.location).set('Tus-Resumable', '1.0.0').expect(204);
    expect((await alice.head(other.headers.location).set('Tus-Resumable', '1.0.0')).status).toBe(404);
  });

  it('answers for a finished tus upload from its completion: HEAD and a repeated last PATCH give the digest, only to its owner; DELETE forgets it', async () => {
    const bytes = Buffer.from(Array.from({ length: 30_000 }, (_, i) => (i * 11) % 256));
    const digest = sha256(bytes);
    const created = await alice
      .post('/uploads')
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Length', String(bytes.length))
      .expect(201);
    const location = created.headers.location;
    const patch = (as: TestAgent, offset: number, body: Buffer) =>
      as
        .patch(location)
        .set({ 'Tus-Resumable': '1.0.0', 'content-type': 'application/offset+octet-stream' })
        .set('Upload-Offset', String(offset))
        .send(body);
    const done = await patch(alice, 0, bytes).expect(204);
    expect(done.headers).toMatchObject({ 'upload-offset': String(bytes.length), 'upload-sha256': digest });

    // The client lost that answer and asks again: HEAD, or the same last PATCH with nothing left to add.
    const head = await alice.head(location).set('Tus-Resumable', '1.0.0').expect(200);
    expect(head.headers).toMatchObject({
      'upload-offset': String(bytes.length),
      'upload-length': String(bytes.length),
      'upload-sha256': digest,
      'cache-control': 'no-store',
      'tus-resumable': '1.0.0',
    });
    const again = await patch(alice, bytes.length, Buffer.alloc(0)).expect(204);
    expect(again.headers).toMatchObject({ 'upload-offset': String(bytes.length), 'upload-sha256': digest });
    // Re-sending bytes to a finished upload is an offset conflict naming where it stands.
    const resent = await patch(alice, 0, bytes);
    expect(resent.status).toBe(409);
    expect(JSON.parse(resent.text)).toMatchObject({ error: 'UPLOAD_OFFSET_MISMATCH', offset: bytes.length });

    // To anyone else it does not exist, finished or not.
    expect((await bob.head(location).set('Tus-Resumable', '1.0.0')).status).toBe(404);
    const foreign = await patch(bob, bytes.length, Buffer.alloc(0));
    expect(foreign.status).toBe(404);
    expect(JSON.parse(foreign.text)).toMatchObject({ error: 'UPLOAD_NOT_FOUND', details: [{ field: 'id' }] });
    expect((await bob.delete(location).set('Tus-Resumable', '1.0.0')).status).toBe(404);

    // X-HTTP-Method-Override works for HEAD and DELETE too; DELETE forgets the upload, the blob stays.
    const overriddenHead = await alice
      .post(location)
      .set({ 'Tus-Resumable': '1.0.0', 'X-HTTP-Method-Override': 'HEAD' })
      .expect(200);
    expect(overriddenHead.headers['upload-sha256']).toBe(digest);
    const unknown = await alice.post(location).set({ 'Tus-Resumable': '1.0.0', 'X-HTTP-Method-Override': 'GET' });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ error: 'VALIDATION_FAILED', details: [{ field: 'X-HTTP-Method-Override' }] });
    await alice.post(location).set({ 'Tus-Resumable': '1.0.0', 'X-HTTP-Method-Override': 'DELETE' }).expect(204);
    expect((await alice.head(location).set('Tus-Resumable', '1.0.0')).status).toBe(404);
    const blob = await alice.get(`/blobs/${digest}`).buffer(true).expect(200);
    expect(Buffer.compare(blob.body, bytes)).toBe(0);
  });

  it('refuses a finished tus upload whose bytes do not match its declared sha256, and keeps nothing', async () => {
    const bytes = Buffer.from('these bytes are not the declared ones');
    const declared = sha256(Buffer.from('declared'));
    const created = await alice
      .post('/uploads')
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Length', String(bytes.length))
      .set('Upload-Metadata', `sha256 ${Buffer.from(declared).toString('base64')}`)
      .expect(201);
    const res = await alice
      .patch(created.headers.location)
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Offset', '0')
      .set('content-type', 'application/offset+octet-stream')
      .send(bytes);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toMatchObject({
      error: 'BLOB_HASH_MISMATCH',
      details: [{ field: 'Upload-Metadata sha256' }],
    });
    await expectNotStored(sha256(bytes));
    await expectNotStored(declared);
  });

  it('refuses PATCHes that break the tus rules with a 4xx naming the header, and keeps the upload usable', async () => {
    const bytes = Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 7) % 256));
    const created = await alice
      .post('/uploads')
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Length', String(bytes.length))
      .expect(201);
    const location = created.headers.location;
    const patch = (path: string, offset: string | undefined, body: Buffer, headers: Record<string, string> = {}) => {
      const req = alice
        .patch(path)
        .set({ 'Tus-Resumable': '1.0.0', 'content-type': 'application/offset+octet-stream', ...headers });
      return (offset === undefined ? req : req.set('Upload-Offset', offset)).send(body);
    };
    const refused = (
      res: { status: number; text: string; headers: Record<string, string> },
      status: number,
      error: string,
      field: string,
    ) => {
      expect(res.status).toBe(status);
      expect(JSON.parse(res.text)).toMatchObject({ statusCode: status, error, details: [{ field }] });
      expect(res.headers['tus-resumable']).toBe('1.0.0');
    };

    refused(
      await patch(location, '0', bytes, { 'Tus-Resumable': '0.2.2' }),
      412,
      'TUS_VERSION_UNSUPPORTED',
      'Tus-Resumable',
    );
    refused(
      await patch(location, '0', bytes, { 'content-type': 'application/octet-stream' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'Content-Type',
    );
    refused(await patch(location, undefined, bytes), 400, 'VALIDATION_FAILED', 'Upload-Offset');
    refused(await patch(location, '-1', bytes), 400, 'VALIDATION_FAILED', 'Upload-Offset');
    refused(await patch('/uploads/0123456789abcdef', '0', bytes), 404, 'UPLOAD_NOT_FOUND', 'id');
    refused(
      await patch(location, '0', Buffer.concat([bytes, Buffer.from('one byte too many')])),
      413,
      'FILE_TOO_LARGE',
      'body',
    );

    await patch(location, '0', bytes.subarray(0, 4000)).expect(204);
    const conflict = await patch(location, '3000', bytes.subarray(3000));
    refused(conflict, 409, 'UPLOAD_OFFSET_MISMATCH', 'Upload-Offset');
    expect(JSON.parse(conflict.text)).toMatchObject({ offset: 4000 });
    const head = await alice.head(location).set('Tus-Resumable', '1.0.0').expect(200);
    expect(head.headers['upload-offset']).toBe('4000');

    const done = await patch(location, '4000', bytes.subarray(4000)).expect(204);
    expect(done.headers['upload-offset']).toBe(String(bytes.length));
    expect(done.headers['upload-sha256']).toBe(sha256(bytes));
    expect(done.text).toBe('');
  });

  /** A PATCH from offset 0 announcing `length` bytes, as the uploader, left open for the test to write into (or not). */
  const openPatch = async (location: string, length: number) =>
    http.request(new URL(location, t.baseUrl), {
      method: 'PATCH',
      headers: {
        Authorization: `Bearer ${await t.tokenOf(3)}`,
        'Tus-Resumable': '1.0.0',
        'Content-Type': 'application/offset+octet-stream',
        'Upload-Offset': '0',
        'Content-Length': String(length),
      },
    });

  it('lets a client that stalled mid-PATCH ask where it stands and go on: the stalled PATCH gives up its lock and keeps its bytes', async () => {
    const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 31) % 256));
    const created = await alice
      .post('/uploads')
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Length', String(bytes.length))
      .expect(201);
    const location = created.headers.location;

    // A PATCH that announces every byte but sends a third of them, then stalls with the connection open.
    const stalled = await openPatch(location, bytes.length);
    const stalledAnswer = new Promise<number>((resolve, reject) => {
      stalled.once('response', (res) => resolve(res.statusCode!));
      stalled.once('error', reject);
    });
    stalled.write(bytes.subarray(0, 100_000));
    await new Promise((r) => setTimeout(r, 300));

    // The client's HEAD takes the lock: the stalled PATCH stops, answers 204, and the bytes it got stay.
    const head = await alice.head(location).set('Tus-Resumable', '1.0.0').expect(200);
    expect(head.headers['upload-offset']).toBe('100000');
    expect(await stalledAnswer).toBe(204);
    stalled.destroy();

    const done = await alice
      .patch(location)
      .set({ 'Tus-Resumable': '1.0.0', 'content-type': 'application/offset+octet-stream', 'Upload-Offset': '100000' })
      .send(bytes.subarray(100_000))
      .expect(204);
    expect(done.headers['upload-sha256']).toBe(sha256(bytes));
  });

  it('keeps what arrived when the connection drops mid-PATCH; HEAD says where to go on from', async () => {
    const bytes = Buffer.from(Array.from({ length: 400_000 }, (_, i) => (i * 17) % 256));
    const created = await alice
      .post('/uploads')
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Length', String(bytes.length))
      .expect(201);
    const location = created.headers.location;
    const dropped = await openPatch(location, bytes.length);
    dropped.on('error', () => undefined);
    dropped.write(bytes.subarray(0, 150_000));
    await new Promise((r) => setTimeout(r, 300));
    dropped.destroy();
    await new Promise((r) => setTimeout(r, 300));

    const head = await alice.head(location).set('Tus-Resumable', '1.0.0').expect(200);
    const offset = Number(head.headers['upload-offset']);
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThanOrEqual(150_000);
    const done = await alice
      .patch(location)
      .set({
        'Tus-Resumable': '1.0.0',
        'content-type': 'application/offset+octet-stream',
        'Upload-Offset': String(offset),
      })
      .send(bytes.subarray(offset))
      .expect(204);
    expect(done.headers['upload-sha256']).toBe(sha256(bytes));
  });

  it('takes the length from a later PATCH when the upload was created with Upload-Defer-Length', async () => {
    const bytes = Buffer.from('length named later, by the last PATCH');
    const created = await alice
      .post('/uploads')
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Defer-Length', '1')
      .expect(201);
    const location = created.headers.location;
    const first = await alice
      .patch(location)
      .set({ 'Tus-Resumable': '1.0.0', 'content-type': 'application/offset+octet-stream', 'Upload-Offset': '0' })
      .send(bytes.subarray(0, 10))
      .expect(204);
    expect(first.headers['upload-offset']).toBe('10');
    const tooShort = await alice
      .patch(location)
      .set({
        'Tus-Resumable': '1.0.0',
        'content-type': 'application/offset+octet-stream',
        'Upload-Offset': '10',
        'Upload-Length': '5',
      })
      .send(Buffer.alloc(0));
    expect(tooShort.status).toBe(400);
    expect(JSON.parse(tooShort.text)).toMatchObject({ details: [{ field: 'Upload-Length' }] });
    const done = await alice
      .patch(location)
      .set({
        'Tus-Resumable': '1.0.0',
        'content-type': 'application/offset+octet-stream',
        'Upload-Offset': '10',
        'Upload-Length': String(bytes.length),
      })
      .send(bytes.subarray(10))
      .expect(204);
    expect(done.headers['upload-sha256']).toBe(sha256(bytes));
  });

  it('answers 410 Gone for a PATCH to an expired upload', async () => {
    const created = await alice.post('/uploads').set('Tus-Resumable', '1.0.0').set('Upload-Length', '10').expect(201);
    const location = created.headers.location;
    const id = location.split('/').pop()!;
    // Two days ago: past the one-day expiry.
    const record = join(work, 'data', 'uploads', `${id}.json`);
    const upload = JSON.parse(await readFile(record, 'utf8')) as { creation_date: string };
    await writeFile(
      record,
      JSON.stringify({ ...upload, creation_date: new Date(Date.now() - 2 * 86_400_000).toISOString() }),
    );
    const res = await alice
      .patch(location)
      .set({ 'Tus-Resumable': '1.0.0', 'content-type': 'application/offset+octet-stream', 'Upload-Offset': '0' })
      .send(Buffer.alloc(10));
    expect(res.status).toBe(410);
    expect(JSON.parse(res.text)).toMatchObject({ error: 'UPLOAD_EXPIRED', details: [{ field: 'id' }] });
    // HEAD says the same, so a resuming client starts a new upload instead of retrying this one.
    const head = await alice.head(location).set('Tus-Resumable', '1.0.0');
    expect(head.status).toBe(410);
  });

  it('serves byte ranges of a blob, so that a download can resume (206; 416 past the end)', async () => {
    const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 13) % 256));
    const digest = sha256(bytes);
    await alice.put(`/blobs/${digest}`).set('content-type', 'application/octet-stream').send(bytes).expect(200);
    // In no dataset yet: only its uploader may read it back (a range included); to anyone else it is not there.
    const anonymous = await t.http.get(`/blobs/${digest}`).set('Range', 'bytes=0-9').expect(404);
    expect(anonymous.body.error).toBe('BLOB_NOT_FOUND');
    const get = (headers: Record<string, string> = {}) => alice.get(`/blobs/${digest}`).set(headers).buffer(true);

    const whole = await get().expect(200);
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(Buffer.compare(whole.body, bytes)).toBe(0);
    for (const [range, start, end] of [
      ['bytes=1000-1999', 1000, 1999],
      ['bytes=2500-', 2500, 2999],
      ['bytes=-100', 2900, 2999],
      ['bytes=2990-5000', 2990, 2999],
    ] as const) {
      const part = await get({ Range: range }).expect(206);
      expect(part.headers['content-range']).toBe(`bytes ${start}-${end}/3000`);
      expect(part.headers['content-length']).toBe(String(end - start + 1));
      expect(Buffer.compare(part.body, bytes.subarray(start, end + 1))).toBe(0);
    }
    // If-Range: the range only while the blob is still the one the client has (the ETag is its SHA-256).
    await get({ Range: 'bytes=0-9', 'If-Range': `"${digest}"` }).expect(206);
    expect((await get({ Range: 'bytes=0-9', 'If-Range': '"another"' }).expect(200)).body.length).toBe(3000);
    // Several ranges at once, or a malformed one: the whole blob.
    expect((await get({ Range: 'bytes=0-1,5-6' }).expect(200)).body.length).toBe(3000);
    expect((await get({ Range: 'lines=1-2' }).expect(200)).body.length).toBe(3000);

    const past = await alice.get(`/blobs/${digest}`).set('Range', 'bytes=3000-');
    expect(past.status).toBe(416);
    expect(past.headers['content-range']).toBe('bytes */3000');
    expect(past.body).toMatchObject({ error: 'RANGE_NOT_SATISFIABLE', size: 3000, details: [{ field: 'Range' }] });
  });

  it('uploads and registers a folder of 10,000 small files (bulk insert), listing them page by page', async () => {
    const folder = join(work, 'many');
    for (let d = 0; d < 10; d++) {
      await mkdir(join(folder, `d${d}`), { recursive: true });
      await Promise.all(
        Array.from({ length: 1000 }, (_, i) => writeFile(join(folder, `d${d}`, `f${i}.txt`), `file ${d}/${i}\n`)),
      );
    }
    const key = new Wallet(t.chain.privateKey(6)).privateKey;
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
      const child = spawn(
        process.execPath,
        [
          join(ROOT, 'bin/upstream.js'),
          '--api',
          t.baseUrl,
          '--json',
          'upload',
          folder,
          '--title',
          'Ten thousand files',
        ],
        {
          cwd: ROOT,
          // The CLI signs in with the key; its session stays in this test's folder.
          env: { ...process.env, UPSTREAM_PRIVATE_KEY: key, HOME: work, UPSTREAM_HOME: join(work, 'upstream-home') },
        },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', fail);
      child.on('close', (code) => done({ code, stdout, stderr }));
    });
    expect(out.code, out.stderr).toBe(0);
    const registered = JSON.parse(out.stdout);
    expect(registered).toMatchObject({ fileCount: 10_000, upload: { uploaded: 10_000 } });

    const page = (await t.http.get(`/datasets/${registered.id}/files?limit=500`).expect(200)).body;
    expect(page.items).toHaveLength(500);
    expect(page.items[0].path).toBe('d0/f0.txt');
    const proof = (await t.http.get(`/datasets/${registered.id}/files/proof?path=d9/f999.txt`).expect(200)).body;
    expect(proof.contentRoot).toBe(registered.contentRoot);
  }, 180_000);
});

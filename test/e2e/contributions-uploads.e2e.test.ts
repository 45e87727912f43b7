import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';

const ROOT = resolve(__dirname, '../..');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('contributions: resumable uploads and a 10,000-file folder', () => {
  let t: TestApp;
  let work: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'upstream-uploads-'));
    t = await startTestApp({ DATA_DIR: join(work, 'data'), UPLOAD_RATE_LIMIT_PER_MINUTE: '1000000' });
  });
  afterAll(async () => {
    await t?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('resumes an interrupted tus upload; the half-sent file is never a blob', async () => {
    const bytes = Buffer.from(Array.from({ length: 200_000 }, (_, i) => i % 251));
    const digest = sha256(bytes);
    const created = await t.http
      .post('/uploads')
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Length', String(bytes.length))
      .set('Upload-Metadata', `sha256 ${Buffer.from(digest).toString('base64')}`)
      .expect(201);
    const location = created.headers.location as string;
    expect(location).toMatch(/^\/uploads\/[0-9a-f]+$/);

    const half = 80_000;
    await t.http
      .patch(location)
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Offset', '0')
      .set('content-type', 'application/offset+octet-stream')
      .send(bytes.subarray(0, half))
      .expect(204);
    await t.http.get(`/blobs/${digest}`).expect(404);

    // The client comes back (say, after a dropped connection) and asks where to continue.
    const head = await t.http.head(location).set('Tus-Resumable', '1.0.0').expect(200);
    expect(head.headers['upload-offset']).toBe(String(half));
    const done = await t.http
      .patch(location)
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Offset', String(half))
      .set('content-type', 'application/offset+octet-stream')
      .send(bytes.subarray(half))
      .expect(200);
    expect(done.headers['upload-sha256']).toBe(digest);

    const blob = await t.http.get(`/blobs/${digest}`).buffer(true).expect(200);
    expect(Buffer.compare(blob.body, bytes)).toBe(0);
  });

  it('refuses a finished tus upload whose bytes do not match its declared sha256, and keeps nothing', async () => {
    const bytes = Buffer.from('these bytes are not the declared ones');
    const declared = sha256(Buffer.from('declared'));
    const created = await t.http
      .post('/uploads')
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Length', String(bytes.length))
      .set('Upload-Metadata', `sha256 ${Buffer.from(declared).toString('base64')}`)
      .expect(201);
    const res = await t.http
      .patch(created.headers.location as string)
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Offset', '0')
      .set('content-type', 'application/offset+octet-stream')
      .send(bytes);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toMatchObject({ error: 'BLOB_HASH_MISMATCH', details: [{ field: 'Upload-Metadata sha256' }] });
    await t.http.get(`/blobs/${sha256(bytes)}`).expect(404);
  });

  it('uploads and registers a folder of 10,000 small files (bulk insert), listing them page by page', async () => {
    const folder = join(work, 'many');
    for (let d = 0; d < 10; d++) {
      await mkdir(join(folder, `d${d}`), { recursive: true });
      await Promise.all(Array.from({ length: 1000 }, (_, i) => writeFile(join(folder, `d${d}`, `f${i}.txt`), `file ${d}/${i}\n`)));
    }
    const key = new Wallet(t.chain.privateKey(6)).privateKey;
    const started = Date.now();
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
      const child = spawn(process.execPath, [join(ROOT, 'bin/upstream.js'), '--api', t.baseUrl, '--json', 'upload', folder, '--title', 'Ten thousand files'], {
        cwd: ROOT,
        env: { ...process.env, UPSTREAM_PRIVATE_KEY: key, HOME: work },
      });
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
    expect(Date.now() - started).toBeLessThan(120_000);

    const page = (await t.http.get(`/datasets/${registered.id}/files?limit=500`).expect(200)).body;
    expect(page.items).toHaveLength(500);
    expect(page.items[0].path).toBe('d0/f0.txt');
    const proof = (await t.http.get(`/datasets/${registered.id}/files/proof?path=d9/f999.txt`).expect(200)).body;
    expect(proof.contentRoot).toBe(registered.contentRoot);
  }, 180_000);
});

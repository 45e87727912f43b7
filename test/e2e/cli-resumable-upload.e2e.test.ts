import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentFor, uploadResumable } from '../../apps/cli/src/contribution/resumable-upload';
import { startTestApp, type TestApp } from '../support/app';

describe('CLI resumable upload: one read, hashed while sent', () => {
  let t: TestApp;
  let work: string;
  let file: string;
  let bytes: Buffer;
  let digest: string;
  let store: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'upstream-resumable-'));
    t = await startTestApp({ DATA_DIR: join(work, 'data') });
    bytes = randomBytes(3 * 1024 * 1024 + 17);
    digest = createHash('sha256').update(bytes).digest('hex');
    file = join(work, 'big.bin');
    await writeFile(file, bytes);
    store = join(work, 'uploads.json');
  });
  afterAll(async () => {
    await t?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('resumes an upload an earlier run left half-sent: re-hashes the sent part, sends the rest, and the server agrees on the digest', async () => {
    // An earlier run created the upload and sent the first MiB, then died.
    const uploader = await t.as(3);
    const created = await uploader
      .post('/uploads')
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Length', String(bytes.length))
      .expect(201);
    const location = new URL(created.headers.location, t.baseUrl).toString();
    const half = 1024 * 1024;
    await uploader
      .patch(created.headers.location)
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Offset', '0')
      .set('content-type', 'application/offset+octet-stream')
      .send(bytes.subarray(0, half))
      .expect(204);
    const info = await stat(file);
    const key = `${new URL(t.baseUrl).origin} ${await realpath(file)} ${info.size} ${info.mtimeMs}`;
    await writeFile(store, JSON.stringify({ [key]: { url: location, at: Date.now() } }));

    let reported = 0;
    const agent = agentFor(t.baseUrl);
    const result = await uploadResumable(file, {
      api: t.baseUrl,
      agent,
      authorization: `Bearer ${await t.tokenOf(3)}`,
      resumeStore: store,
      onBytes: (d) => (reported += d),
    });
    agent.destroy();
    expect(result).toEqual({ sha256: digest, size: BigInt(bytes.length), uploaded: true });
    expect(reported).toBe(bytes.length);
    // The half-sent upload was continued and finished, not replaced by a new one: HEAD tells so.
    const head = await uploader.head(created.headers.location).set('Tus-Resumable', '1.0.0').expect(200);
    expect(head.headers['upload-offset']).toBe(String(bytes.length));
    expect(head.headers['upload-sha256']).toBe(digest);
    // The uploader may read back the bytes it holds.
    const blob = await uploader.get(`/blobs/${digest}`).buffer(true).expect(200);
    expect(Buffer.compare(blob.body, bytes)).toBe(0);
    expect(Object.values(JSON.parse(await readFile(store, 'utf8')))).toEqual([
      expect.objectContaining({ sha256: digest }),
    ]);
  });

  it('does not send a file again that an earlier run uploaded and the server still holds', async () => {
    let reported = 0;
    const agent = agentFor(t.baseUrl);
    const result = await uploadResumable(file, {
      api: t.baseUrl,
      agent,
      authorization: `Bearer ${await t.tokenOf(3)}`,
      resumeStore: store,
      onBytes: (d) => (reported += d),
    });
    agent.destroy();
    expect(result).toEqual({ sha256: digest, size: BigInt(bytes.length), uploaded: false });
    expect(reported).toBe(bytes.length);
  });

  it('refuses when the bytes do not hash to the digest the caller already knows, and keeps nothing under it', async () => {
    const other = join(work, 'other.bin');
    await writeFile(other, randomBytes(200_000));
    const wrong = createHash('sha256').update('something else').digest('hex');
    const agent = agentFor(t.baseUrl);
    await expect(
      uploadResumable(other, {
        api: t.baseUrl,
        agent,
        authorization: `Bearer ${await t.tokenOf(3)}`,
        resumeStore: store,
        expectedSha256: wrong,
      }),
    ).rejects.toMatchObject({
      status: 400,
      body: { error: 'BLOB_HASH_MISMATCH' },
    });
    agent.destroy();
    const absent = await (await t.as(3)).get(`/blobs/${wrong}`).expect(404);
    expect(absent.body.error).toBe('BLOB_NOT_FOUND');
    const stored = await (
      await t.as(3)
    )
      .post('/blobs/missing')
      .send({ sha256s: [wrong] })
      .expect(200);
    expect(stored.body.missing).toEqual([wrong]);
  });
});

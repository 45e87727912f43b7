import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import type TestAgent from 'supertest/lib/agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildContentTree, contributionMetadataHash, type FileEntry, type UpstreamDomain } from '@upstream/provenance';
import { signRegistration, type RegistrationInput } from '../../apps/cli/src/contribution/registration';
import { startTestApp, type TestApp } from '../support/app';
import { withClient } from '../support/pg-client';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('contributions: every bad input is refused with a 4xx naming the field and the reason', () => {
  let t: TestApp;
  let dataDir: string;
  let domain: UpstreamDomain;
  let alice: Wallet;
  let bob: Wallet;
  let carol: Wallet;
  /** Each wallet's signed-in client: uploads and registrations go as the account that signs them. */
  let asAlice: TestAgent;
  let asBob: TestAgent;
  let asCarol: TestAgent;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'upstream-refusals-'));
    t = await startTestApp(
      { DATA_DIR: dataDir, MAX_FILE_BYTES: '4096', MAX_FILES_PER_DATASET: '5' },
      { validateResponses: true },
    );
    domain = (await t.http.get('/chain').expect(200)).body.eip712Domain;
    [alice, bob, carol] = [3, 4, 5].map((i) => new Wallet(t.chain.privateKey(i)));
    [asAlice, asBob, asCarol] = await Promise.all([3, 4, 5].map((i) => t.as(i)));
  });
  afterAll(async () => {
    await t?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const upload = async (bytes: Buffer, as = asAlice) =>
    (await as.put('/blobs').set('content-type', 'application/octet-stream').send(bytes).expect(200)).body as {
      sha256: string;
    };

  /**
   * Nothing was kept under `digest`: no row, no file in the store, and even the account that sent the
   * bytes gets 404 for it (bytes it did store, it could read back).
   */
  async function expectNotStored(digest: string, uploader = asAlice) {
    const rows = await withClient(t.database.url, (c) =>
      c.query(`SELECT 1 FROM blobs WHERE sha256 = $1`, [digest]).then((r) => r.rows),
    );
    expect(rows).toEqual([]);
    expect(existsSync(join(dataDir, 'blobs', digest.slice(0, 2), digest.slice(2, 4), digest))).toBe(false);
    expectRefusal(await uploader.get(`/blobs/${digest}`), 404, 'BLOB_NOT_FOUND', 'sha256');
  }

  /** Uploads the files and answers their canonical entries and content root. */
  async function dataset(
    files: Record<string, string>,
    uploadBytes = true,
  ): Promise<{ entries: FileEntry[]; contentRoot: string }> {
    const inputs = await Promise.all(
      Object.entries(files).map(async ([path, text]) => {
        const bytes = Buffer.from(text);
        if (uploadBytes) await upload(bytes);
        return { path, size: BigInt(bytes.length), sha256: sha256(bytes) };
      }),
    );
    const tree = await buildContentTree(inputs);
    return { entries: [...tree.entries], contentRoot: tree.root };
  }

  const sign = (signer: Wallet, input: Omit<RegistrationInput, 'domain' | 'title'> & { title?: string }) =>
    signRegistration(signer, { title: 'A dataset', domain, ...input });

  /** POST /datasets, by default as alice (who signs most registrations here). */
  const register = (body: object, as = asAlice) => as.post('/datasets').send(body);

  function expectRefusal(
    res: { status: number; body: Record<string, unknown> },
    status: number,
    error: string,
    field: string,
  ) {
    expect({ status: res.status, error: res.body.error }).toEqual({ status, error });
    expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  }

  it('refuses an upload over MAX_FILE_BYTES with 413, by PUT or by tus, and keeps nothing', async () => {
    const big = Buffer.alloc(5000, 7);
    const put = await asAlice.put('/blobs').set('content-type', 'application/octet-stream').send(big);
    expectRefusal(put, 413, 'FILE_TOO_LARGE', 'content-length');
    expect(put.body.message).toContain('MAX_FILE_BYTES');
    await expectNotStored(sha256(big));

    const tus = await asAlice.post('/uploads').set('Tus-Resumable', '1.0.0').set('Upload-Length', '5000');
    expect(tus.status).toBe(413);
    expect(JSON.parse(tus.text)).toMatchObject({
      error: 'FILE_TOO_LARGE',
      limit: 'MAX_FILE_BYTES',
      details: [{ field: 'Upload-Length' }],
    });
  });

  it('refuses bytes that do not hash to the digest they were sent under', async () => {
    const bytes = Buffer.from('not what you said');
    const wrong = sha256(Buffer.from('something else'));
    const res = await asAlice.put(`/blobs/${wrong}`).set('content-type', 'application/octet-stream').send(bytes);
    expectRefusal(res, 400, 'BLOB_HASH_MISMATCH', 'sha256');
    await expectNotStored(sha256(bytes));
    await expectNotStored(wrong);
  });

  it('refuses more files than MAX_FILES_PER_DATASET with 413', async () => {
    const files = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`f${i}.txt`, `file ${i}`]));
    const d = await dataset(files, false);
    const res = await register(await sign(alice, { ...d, externalUri: 'https://example.org/data/' }));
    expectRefusal(res, 413, 'TOO_MANY_FILES', 'files');
    expect(res.body.message).toContain('MAX_FILES_PER_DATASET');
  });

  it('refuses malformed hex, naming each field', async () => {
    const d = await dataset({ 'a.txt': 'malformed' });
    const body = await sign(alice, d);
    expectRefusal(await register({ ...body, contentRoot: '0x1234' }), 400, 'VALIDATION_FAILED', 'contentRoot');
    expectRefusal(await register({ ...body, signature: '0xnothex' }), 400, 'VALIDATION_FAILED', 'signature');
    expectRefusal(
      await register({ ...body, owners: [{ account: '0xabc', shareBps: 10_000 }] }),
      400,
      'VALIDATION_FAILED',
      'owners[0].account',
    );
    expectRefusal(
      await register({ ...body, files: [{ ...body.files[0], sha256: 'zz' }] }),
      400,
      'VALIDATION_FAILED',
      'files[0].sha256',
    );
    expectRefusal(
      await register({ ...body, parents: [{ datasetId: '0x12', upstreamBps: 10 }] }),
      400,
      'VALIDATION_FAILED',
      'parents[0].datasetId',
    );
    expectRefusal(
      await register({ ...body, files: [{ ...body.files[0], path: '../escape' }] }),
      400,
      'VALIDATION_FAILED',
      'files[0].path',
    );
  });

  it('refuses a registration without license terms, naming license (found by the HTTP fuzz test)', async () => {
    const body = (await sign(alice, await dataset({ 'a.txt': 'no license' }))) as unknown as Record<string, unknown>;
    const withoutLicense = Object.fromEntries(Object.entries(body).filter(([key]) => key !== 'license'));
    expectRefusal(await register(withoutLicense), 400, 'VALIDATION_FAILED', 'license');
    expectRefusal(await register({ ...body, license: 'open-training' }), 400, 'VALIDATION_FAILED', 'license');
  });

  it('refuses owner shares that do not sum to 10,000', async () => {
    const d = await dataset({ 'shares.txt': 'shares' });
    const body = await sign(alice, {
      ...d,
      owners: [
        { account: alice.address, shareBps: 6000 },
        { account: bob.address, shareBps: 3000 },
      ],
    });
    const res = await register(body);
    expectRefusal(res, 400, 'VALIDATION_FAILED', 'owners');
    expect(res.body.message).toContain('sum to 10000');
  });

  it('refuses an expired deadline', async () => {
    const d = await dataset({ 'late.txt': 'late' });
    const res = await register(await sign(alice, { ...d, deadline: BigInt(Math.floor(Date.now() / 1000) - 60) }));
    expectRefusal(res, 400, 'DEADLINE_EXPIRED', 'deadline');
  });

  it('refuses a signature by someone who is not an owner, and a body changed after signing', async () => {
    const d = await dataset({ 'who.txt': 'who signed' });
    const byCarol = await sign(carol, { ...d, owners: [{ account: alice.address, shareBps: 10_000 }] });
    const res = await register(byCarol, asCarol);
    expectRefusal(res, 400, 'INVALID_SIGNATURE', 'signature');
    expect(res.body.recovered).toBe(carol.address.toLowerCase());

    const signed = await sign(alice, {
      ...d,
      owners: [
        { account: alice.address, shareBps: 5000 },
        { account: bob.address, shareBps: 5000 },
      ],
    });
    const tampered = {
      ...signed,
      owners: [
        { account: alice.address, shareBps: 1000 },
        { account: bob.address, shareBps: 9000 },
      ],
    };
    expectRefusal(await register(tampered), 400, 'INVALID_SIGNATURE', 'signature');
  });

  it('signs what the catalogue shows: a title, description or external URI changed after signing is refused', async () => {
    const d = await dataset({ 'shown.txt': 'the words are signed' });
    const signed = await sign(alice, { ...d, title: 'Cats of Lisbon', description: 'by the river' });
    for (const changed of [{ title: 'Cats of Porto' }, { description: 'by the sea' }, { description: undefined }]) {
      const res = await register({ ...signed, ...changed });
      expectRefusal(res, 400, 'INVALID_SIGNATURE', 'signature');
    }
    const created = await register(signed);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      title: 'Cats of Lisbon',
      description: 'by the river',
      contributionVersion: 2,
      metadataHash: contributionMetadataHash({
        title: 'Cats of Lisbon',
        description: 'by the river',
        externalUri: null,
      }),
    });
  });

  it('refuses a signature under another domain as every signed route does: 400 INVALID_SIGNATURE', async () => {
    const d = await dataset({ 'elsewhere.txt': 'signed for another chain' });
    const elsewhere = await signRegistration(alice, {
      title: 'A dataset',
      ...d,
      domain: { ...domain, chainId: BigInt(domain.chainId) + 1n },
    });
    const res = await register(elsewhere);
    expectRefusal(res, 400, 'INVALID_SIGNATURE', 'signature');
    expect(res.body.recovered).not.toBe(alice.address.toLowerCase());
  });

  it('registers only for a signed-in owner, with files that owner uploaded or may fetch', async () => {
    const d = await dataset({ 'mine.txt': 'uploaded by alice' });
    const body = await sign(alice, d);
    expectRefusal(await t.http.post('/datasets').send(body), 401, 'UNAUTHENTICATED', 'authorization');
    // A valid registration signed by alice, sent by carol (not an owner): refused, nothing written.
    expectRefusal(await register(body, asCarol), 403, 'NOT_OWNER', 'owners');
    await t.http.get(`/datasets/${d.contentRoot}`).expect(404);

    // Bob signs and sends a dataset of bytes only alice uploaded (in no dataset yet): knowing the hash is not having the file.
    const byBob = await register(
      await sign(bob, { ...d, owners: [{ account: bob.address, shareBps: 10_000 }] }),
      asBob,
    );
    expectRefusal(byBob, 403, 'BLOB_NOT_AVAILABLE', 'files[0].sha256');
    await t.http.get(`/datasets/${d.contentRoot}`).expect(404);
    // Once bob has uploaded the same bytes himself, the same registration goes through.
    await upload(Buffer.from('uploaded by alice'), asBob);
    await register(await sign(bob, { ...d, owners: [{ account: bob.address, shareBps: 10_000 }] }), asBob).expect(201);
  });

  it('refuses a signature that is not a valid signature at all', async () => {
    const d = await dataset({ 'garbage.txt': 'garbage signature' });
    const body = await sign(alice, d);
    const res = await register({ ...body, signature: '0x' + '00'.repeat(65) });
    expectRefusal(res, 400, 'INVALID_SIGNATURE', 'signature');
  });

  it('refuses a content root that is not the root of the files', async () => {
    const d = await dataset({ 'root.txt': 'root' });
    const other = await dataset({ 'other.txt': 'other' });
    const res = await register(await sign(alice, { ...d, contentRoot: other.contentRoot }));
    expectRefusal(res, 400, 'CONTENT_ROOT_MISMATCH', 'contentRoot');
    expect(res.body.computedContentRoot).toBe(d.contentRoot);
  });

  it('refuses an uploaded dataset whose file was never uploaded, naming the entry', async () => {
    const d = await dataset({ 'never-uploaded.bin': 'never uploaded' }, false);
    const res = await register(await sign(alice, d));
    expectRefusal(res, 400, 'UNKNOWN_BLOB', 'files[0].sha256');
    expect(res.body.details[0].reason).toContain('never-uploaded.bin');
  });

  it('refuses an unknown parent and a dataset that names itself as parent', async () => {
    const d = await dataset({ 'child.txt': 'child' });
    const unknown = '0x' + 'ab'.repeat(32);
    const res = await register(await sign(alice, { ...d, parents: [{ datasetId: unknown, upstreamBps: 1000 }] }));
    expectRefusal(res, 400, 'UNKNOWN_PARENT', 'parents[0].datasetId');
    const self = await register(
      await sign(alice, { ...d, parents: [{ datasetId: d.contentRoot, upstreamBps: 1000 }] }),
    );
    expectRefusal(self, 400, 'VALIDATION_FAILED', 'parents[0].datasetId');
    expect(self.body.message).toContain('own parent');
  });

  it('answers 409 with the existing id when the same content root is registered again', async () => {
    const d = await dataset({ 'dup.txt': 'duplicate' });
    const first = await register(await sign(alice, d)).expect(201);
    const again = await register(
      await sign(bob, { ...d, owners: [{ account: bob.address, shareBps: 10_000 }] }),
      asBob,
    );
    expectRefusal(again, 409, 'DATASET_EXISTS', 'contentRoot');
    expect(again.body.datasetId).toBe(first.body.id);
  });

  it('refuses a replayed nonce', async () => {
    const one = await dataset({ 'nonce-1.txt': 'first' });
    const two = await dataset({ 'nonce-2.txt': 'second' });
    await register(await sign(alice, { ...one, nonce: 42n })).expect(201);
    const res = await register(await sign(alice, { ...two, nonce: 42n }));
    expectRefusal(res, 409, 'NONCE_REUSED', 'nonce');
    // Nothing of the refused registration was written.
    await t.http.get(`/datasets/${two.contentRoot}`).expect(404);
  });

  it('lets only an owner of the previous version register a new version', async () => {
    const v1 = await dataset({ 'v.txt': 'version 1' });
    const first = await register(await sign(alice, v1)).expect(201);
    const v2 = await dataset({ 'v.txt': 'version 2' });
    const byBob = await register(
      await sign(bob, {
        ...v2,
        owners: [{ account: bob.address, shareBps: 10_000 }],
        previousVersionId: first.body.id,
      }),
      asBob,
    );
    expectRefusal(byBob, 403, 'NOT_PREVIOUS_VERSION_OWNER', 'previousVersionId');
    const unknown = await register(await sign(alice, { ...v2, previousVersionId: randomUUID() }));
    expectRefusal(unknown, 400, 'UNKNOWN_PREVIOUS_VERSION', 'previousVersionId');
    const ok = await register(await sign(alice, { ...v2, previousVersionId: first.body.id })).expect(201);
    expect(ok.body.previousVersionId).toBe(first.body.id);
    expect((await t.http.get(`/datasets/${first.body.id}`).expect(200)).body.nextVersionIds).toEqual([ok.body.id]);
  });

  it('refuses a paid-per-run license without a fee, and a fee on a free template', async () => {
    const d = await dataset({ 'license.txt': 'license' });
    const body = await sign(alice, d);
    expectRefusal(
      await register({ ...body, license: { template: 'paid-per-run' } }),
      400,
      'VALIDATION_FAILED',
      'license.fee',
    );
    const fee = { token: t.chain.deployment.contracts.PaymentToken ?? alice.address, amount: '5' };
    expectRefusal(
      await register({ ...body, license: { template: 'open-training', fee } }),
      400,
      'VALIDATION_FAILED',
      'license.fee',
    );
    expectRefusal(
      await register({ ...body, license: { template: 'all-rights' } }),
      400,
      'VALIDATION_FAILED',
      'license.template',
    );
  });

  it('registers by hashes alone when storage is external, and says there are no bytes here', async () => {
    const d = await dataset({ 'remote.parquet': 'remote bytes' }, false);
    const res = await register(await sign(alice, { ...d, externalUri: 's3://bucket/remote/' })).expect(201);
    expect(res.body).toMatchObject({ storage: 'external', externalUri: 's3://bucket/remote/' });
    const content = await t.http.get(`/datasets/${res.body.id}/files/content?path=remote.parquet`);
    expectRefusal(content, 404, 'BLOB_NOT_FOUND', 'path');
    const missingUri = await register({
      ...(await sign(alice, { ...d, externalUri: 's3://x/' })),
      externalUri: undefined,
    });
    expectRefusal(missingUri, 400, 'VALIDATION_FAILED', 'externalUri');
  });

  it('answers 404 for unknown ids and 400 for malformed ones, naming the field', async () => {
    const unknown = randomUUID();
    const res = await t.http.get(`/datasets/${unknown}`);
    expectRefusal(res, 404, 'DATASET_NOT_FOUND', 'id');
    expect(res.body.message).toContain(unknown);
    expectRefusal(await t.http.get('/datasets/not-an-id'), 400, 'VALIDATION_FAILED', 'id');
    expectRefusal(await t.http.get(`/datasets/${unknown}/lineage`), 404, 'DATASET_NOT_FOUND', 'id');
    expectRefusal(await t.http.get(`/datasets/${unknown}/files`), 404, 'DATASET_NOT_FOUND', 'id');
    // A NUL in the id reached PostgreSQL on these two and gave 500 (found by the HTTP fuzz test).
    expectRefusal(await t.http.get('/datasets/%00/licenses'), 400, 'VALIDATION_FAILED', 'id');
    expectRefusal(await t.http.get('/datasets/%00/runs'), 400, 'VALIDATION_FAILED', 'id');
    expectRefusal(await t.http.get(`/datasets/${unknown}/licenses`), 404, 'DATASET_NOT_FOUND', 'id');
    expectRefusal(await t.http.get('/blobs/xyz'), 400, 'VALIDATION_FAILED', 'sha256');
    expectRefusal(await t.http.get(`/blobs/${'0'.repeat(64)}`), 404, 'BLOB_NOT_FOUND', 'sha256');
    expectRefusal(await t.http.get('/contributors/0xnope/datasets'), 400, 'VALIDATION_FAILED', 'address');
    expectRefusal(await t.http.get('/datasets?owner=0x12'), 400, 'VALIDATION_FAILED', 'owner');
    expectRefusal(await t.http.get('/datasets?cursor=bogus'), 400, 'VALIDATION_FAILED', 'cursor');

    const d = await dataset({ 'known.txt': 'known' });
    const created = await register(await sign(alice, d)).expect(201);
    expectRefusal(
      await t.http.get(`/datasets/${created.body.id}/files/proof?path=unknown.txt`),
      404,
      'FILE_NOT_FOUND',
      'path',
    );
    expectRefusal(await t.http.get(`/datasets/${created.body.id}/files/proof`), 400, 'VALIDATION_FAILED', 'path');
  });
});

describe('contributions: upload rate limit', () => {
  let t: TestApp;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'upstream-upload-rate-'));
    t = await startTestApp({ DATA_DIR: dataDir, UPLOAD_RATE_LIMIT_PER_MINUTE: '2' }, { validateResponses: true });
  });
  afterAll(async () => {
    await t?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers 429 past UPLOAD_RATE_LIMIT_PER_MINUTE, counted per account', async () => {
    const alice = await t.as(3);
    const put = (i: number, as = alice) =>
      as
        .put('/blobs')
        .set('content-type', 'application/octet-stream')
        .send(Buffer.from(`blob ${i}`));
    await put(1).expect(200);
    await put(2).expect(200);
    const res = await put(3).expect(429);
    expect(res.body).toMatchObject({ statusCode: 429, error: 'TOO_MANY_REQUESTS' });
    // Another account has its own allowance.
    await put(4, await t.as(4)).expect(200);
    // Reads are not counted against the upload limit.
    await t.http.get('/datasets').expect(200);
  });
});

import { createHash } from 'node:crypto';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildContentTree, type UpstreamDomain } from '@upstream/provenance';
import { signRegistration } from '../../apps/cli/src/contribution/registration';
import { startTestApp, type TestApp } from '../support/app';
import { siweMessage, signIn } from '../support/auth';
import { signLicense } from '../support/catalogue-fixtures';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('access: sessions, API keys, and bytes only for those entitled to them', () => {
  let t: TestApp;
  let dataDir: string;
  let domain: UpstreamDomain;
  let db: Client;
  // dev accounts: alice contributes, lab licenses, eve has nothing
  const ALICE = 3;
  const LAB = 4;
  const EVE = 5;
  let alice: Wallet;
  let lab: Wallet;
  let eve: Wallet;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'upstream-access-'));
    t = await startTestApp({ DATA_DIR: dataDir, UPLOAD_QUOTA_BYTES: '20000' }, { validateResponses: true });
    domain = (await t.http.get('/chain').expect(200)).body.eip712Domain;
    [alice, lab, eve] = [ALICE, LAB, EVE].map((i) => new Wallet(t.chain.privateKey(i)));
    db = new Client({ connectionString: t.database.url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await t?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  async function postSession(message: string, signature: string) {
    return fetch(new URL('/auth/session', t.baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message, signature }),
    });
  }

  /** Uploads `bytes` as dev account `who`, registers them as a one-file dataset, answers the dataset. */
  async function registered(
    who: number,
    bytes: Buffer,
    license: 'open-training' | 'research-only',
    accessPolicy?: string,
  ) {
    const http = await t.as(who);
    await http.put('/blobs').set('content-type', 'application/octet-stream').send(bytes).expect(200);
    const tree = await buildContentTree([{ path: 'data.bin', size: BigInt(bytes.length), sha256: sha256(bytes) }]);
    const body = await signRegistration(new Wallet(t.chain.privateKey(who)), {
      entries: [...tree.entries],
      contentRoot: tree.root,
      title: `dataset ${tree.root.slice(0, 10)}`,
      license: { template: license },
      domain,
    });
    const res = await http.post('/datasets').send(accessPolicy ? { ...body, accessPolicy } : body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; contentRoot: string; accessPolicy: string; license: { termsHash: string } };
  }

  describe('Sign-In with Ethereum', () => {
    it('opens a session for a signed message, once: a replayed message is refused', async () => {
      const message = await siweMessage(t.baseUrl, alice);
      const signature = await alice.signMessage(message);
      const first = await postSession(message, signature);
      expect(first.status).toBe(201);
      const session = (await first.json()) as { token: string; account: string };
      expect(session.account).toBe(alice.address.toLowerCase());
      const me = await t.http.get('/auth/session').set(bearer(session.token)).expect(200);
      expect(me.body).toMatchObject({ account: alice.address.toLowerCase(), via: 'session' });

      const replay = await postSession(message, signature);
      expect(replay.status).toBe(401);
      expect(await replay.json()).toMatchObject({ error: 'SIWE_INVALID', details: [{ field: 'message' }] });
    });

    it.each([
      ['a wrong domain', { domain: 'evil.example' }, 'domain'],
      ['a URI on another host', { uri: 'https://evil.example/login' }, 'URI'],
      ['a wrong chain id', { chainId: 1 }, 'chain id'],
      ['an expired message', { expirationTime: new Date(Date.now() - 1000).toISOString() }, 'expired'],
      ['a nonce this service never issued', { nonce: 'abcdefgh12345678' }, 'nonce'],
      ['an Issued At long past', { issuedAt: new Date(Date.now() - 3600_000).toISOString() }, 'too long ago'],
    ])('refuses %s', async (_, overrides, reason) => {
      const message = await siweMessage(t.baseUrl, alice, overrides);
      const res = await postSession(message, await alice.signMessage(message));
      expect(res.status).toBe(401);
      const body = (await res.json()) as { error: string; message: string };
      expect(body.error).toBe('SIWE_INVALID');
      expect(body.message).toContain(reason);
    });

    it('refuses a signature by another key, and a message that is not EIP-4361, and does not burn the nonce on a bad signature', async () => {
      const message = await siweMessage(t.baseUrl, alice);
      const forged = await postSession(message, await eve.signMessage(message));
      expect(forged.status).toBe(401);
      expect(await forged.json()).toMatchObject({ error: 'SIWE_INVALID', details: [{ field: 'signature' }] });
      expect((await postSession(message, await alice.signMessage(message))).status).toBe(201);

      const garbage = await postSession('hello', await alice.signMessage('hello'));
      expect(garbage.status).toBe(401);
    });

    it('ends a session on logout, every session on logout-all, and refuses expired ones', async () => {
      const one = await signIn(t.baseUrl, eve);
      const two = await signIn(t.baseUrl, eve);
      const three = await signIn(t.baseUrl, eve);
      await t.http.post('/auth/logout').set(bearer(one)).expect(200);
      const refused = await t.http.get('/auth/session').set(bearer(one)).expect(401);
      expect(refused.body).toMatchObject({ error: 'CREDENTIAL_INVALID' });
      expect(refused.body.message).toContain('revoked');
      // A revoked credential is refused even on a public route: no silent anonymous answer.
      await t.http.get('/datasets').set(bearer(one)).expect(401);

      const all = await t.http.post('/auth/logout-all').set(bearer(two)).expect(200);
      expect(all.body.revoked).toBe(2);
      await t.http.get('/auth/session').set(bearer(three)).expect(401);

      const four = await signIn(t.baseUrl, eve);
      await db.query(
        `UPDATE sessions SET expires_at = now() - interval '1 second' WHERE revoked_at IS NULL AND account = $1`,
        [eve.address.toLowerCase()],
      );
      const expired = await t.http.get('/auth/session').set(bearer(four)).expect(401);
      expect(expired.body.message).toContain('expired');
    });

    it('refuses malformed credentials with 401 naming the header', async () => {
      for (const header of ['Basic abc', 'Bearer', 'Bearer ups_s_short', 'Bearer ' + 'x'.repeat(49)]) {
        const res = await t.http.get('/auth/session').set('authorization', header);
        expect(res.status, header).toBe(401);
        expect(res.body.details).toEqual([expect.objectContaining({ field: 'authorization' })]);
      }
      const anonymous = await t.http.get('/auth/session').expect(401);
      expect(anonymous.body.error).toBe('UNAUTHENTICATED');
    });
  });

  describe('API keys', () => {
    it('are created by a session with scopes, shown once, listed with their last use, and revoked at once', async () => {
      const session = await t.tokenOf(LAB);
      const created = await t.http
        .post('/auth/keys')
        .set(bearer(session))
        .send({ label: 'cluster', scopes: ['read', 'download'], expiresInDays: 7 })
        .expect(201);
      const key = created.body.key as string;
      expect(key).toMatch(/^ups_k_/);
      const stored = await db.query(`SELECT key_hash FROM api_keys WHERE id = $1`, [created.body.apiKey.id]);
      expect(Buffer.from(stored.rows[0].key_hash).toString('hex')).toBe(sha256(Buffer.from(key)));

      const me = await t.http.get('/auth/session').set(bearer(key)).expect(200);
      expect(me.body).toMatchObject({ via: 'api-key', scopes: ['read', 'download'] });
      // A key cannot do what its scopes do not name, nor manage keys.
      const put = await t.http
        .put('/blobs')
        .set(bearer(key))
        .set('content-type', 'application/octet-stream')
        .send(Buffer.from('x'));
      expect(put.status).toBe(403);
      expect(put.body.error).toBe('SCOPE_REQUIRED');
      const mint = await t.http
        .post('/auth/keys')
        .set(bearer(key))
        .send({ label: 'x', scopes: ['read'] });
      expect(mint.body.error).toBe('SESSION_REQUIRED');

      const list = await t.http.get('/auth/keys').set(bearer(session)).expect(200);
      const listed = list.body.items.find((k: { id: string }) => k.id === created.body.apiKey.id);
      expect(listed.lastUsedAt).not.toBeNull();
      expect(listed.lastUsedIp).toBeTruthy();
      expect(JSON.stringify(list.body)).not.toContain(key);

      // Another account cannot revoke it; its owner can.
      const other = await t.http.delete(`/auth/keys/${created.body.apiKey.id}`).set(bearer(await t.tokenOf(EVE)));
      expect(other.status).toBe(404);
      await t.http.delete(`/auth/keys/${created.body.apiKey.id}`).set(bearer(session)).expect(200);
      const revoked = await t.http.get('/auth/session').set(bearer(key)).expect(401);
      expect(revoked.body.error).toBe('CREDENTIAL_INVALID');
    });

    it('refuses unknown scopes and bad expiries naming the field', async () => {
      const session = await t.tokenOf(LAB);
      const bad = await t.http
        .post('/auth/keys')
        .set(bearer(session))
        .send({ label: 'x', scopes: ['admin'] })
        .expect(400);
      expect(bad.body.details[0].field).toContain('scopes');
      const long = await t.http
        .post('/auth/keys')
        .set(bearer(session))
        .send({ label: 'x', scopes: ['read'], expiresInDays: 1000 })
        .expect(400);
      expect(long.body.details[0].field).toBe('expiresInDays');
    });
  });

  describe('who may fetch bytes', () => {
    it('serves a licensed dataset to its owner and licensees only, with ranges, and says how to license it', async () => {
      const bytes = Buffer.from('licensed bytes '.repeat(100));
      const dataset = await registered(ALICE, bytes, 'research-only');
      expect(dataset.accessPolicy).toBe('licensed');
      const digest = sha256(bytes);
      const content = `/datasets/${dataset.id}/files/content?path=data.bin`;

      for (const path of [`/blobs/${digest}`, content]) {
        const anonymous = await t.http.get(path).expect(401);
        expect(anonymous.body.error).toBe('UNAUTHENTICATED');
        const stranger = await (await t.as(LAB)).get(path).expect(403);
        expect(stranger.body).toMatchObject({ error: 'LICENSE_REQUIRED', datasetId: dataset.id });
        expect(stranger.body.message).toContain(`upstream license ${dataset.id}`);
        const owner = await (await t.as(ALICE)).get(path).buffer(true).expect(200);
        expect(Buffer.from(owner.body as Buffer).equals(bytes)).toBe(true);
      }
      // The catalogue, file list and proofs stay public.
      await t.http.get(`/datasets/${dataset.id}`).expect(200);
      await t.http.get(`/datasets/${dataset.id}/files`).expect(200);
      await t.http.get(`/datasets/${dataset.id}/files/proof?path=data.bin`).expect(200);

      // Signed under another domain: 400 INVALID_SIGNATURE, as on registrations (it was 403 there, 400 here).
      const terms = { datasetId: dataset.contentRoot, termsHash: dataset.license.termsHash };
      const elsewhere = { ...domain, chainId: BigInt(domain.chainId) + 1n };
      const refused = await t.http
        .post('/licenses')
        .send(await signLicense(lab, elsewhere, terms))
        .expect(400);
      expect(refused.body).toMatchObject({ error: 'INVALID_SIGNATURE' });
      const license = await t.http
        .post('/licenses')
        .send(await signLicense(lab, domain, terms))
        .expect(201);
      expect(license.body.license.status).toBe('active');
      const licensee = await t.as(LAB);
      const whole = await licensee.get(content).buffer(true).expect(200);
      expect(Buffer.from(whole.body as Buffer).equals(bytes)).toBe(true);
      const part = await licensee.get(content).set('Range', 'bytes=10-19').buffer(true).expect(206);
      expect(Buffer.from(part.body as Buffer).equals(bytes.subarray(10, 20))).toBe(true);

      // An expired license stops deliveries, and says so.
      await db.query(`UPDATE licenses SET expires_at = now() - interval '1 second' WHERE id = $1`, [
        license.body.license.id,
      ]);
      const expired = await licensee.get(content).expect(403);
      expect(expired.body.error).toBe('LICENSE_EXPIRED');
      await db.query(`UPDATE licenses SET expires_at = NULL WHERE id = $1`, [license.body.license.id]);

      // A key without the download scope cannot fetch even what its account may.
      const readOnly = await licensee
        .post('/auth/keys')
        .send({ label: 'ro', scopes: ['read'] })
        .expect(201);
      const scoped = await t.http
        .get(content)
        .set(bearer(readOnly.body.key as string))
        .expect(403);
      expect(scoped.body.error).toBe('SCOPE_REQUIRED');

      // Deliveries: the owner sees the licensee's fetches; the licensee sees only its own. A receipt is queued
      // when the response has finished on the server (after the client has its bytes) and written within a
      // second, so the owner's view is awaited rather than read once.
      const owner = await t.as(ALICE);
      await vi.waitFor(
        async () => {
          const seen = await owner.get(`/datasets/${dataset.id}/deliveries`).expect(200);
          expect(seen.body.items).toEqual(
            expect.arrayContaining([
              expect.objectContaining({
                account: lab.address.toLowerCase(),
                licenseId: license.body.license.id,
                firstByte: '10',
                bytes: '10',
              }),
              expect.objectContaining({
                account: lab.address.toLowerCase(),
                firstByte: '0',
                bytes: String(bytes.length),
              }),
            ]),
          );
        },
        { timeout: 10_000, interval: 250 },
      );
      const own = await licensee.get(`/datasets/${dataset.id}/deliveries`).expect(200);
      expect(own.body.items.every((d: { account: string }) => d.account === lab.address.toLowerCase())).toBe(true);
      const undeclared = await (await t.as(ALICE)).get(`/datasets/${dataset.id}/deliveries/undeclared`).expect(200);
      expect(undeclared.body.items).toEqual([expect.objectContaining({ account: lab.address.toLowerCase() })]);
      await licensee.get(`/datasets/${dataset.id}/deliveries/undeclared`).expect(403);
    });

    it('serves public datasets to anyone, private ones to owners only, and a blob under its most permissive dataset', async () => {
      const bytes = Buffer.from('private bytes '.repeat(50));
      const dataset = await registered(ALICE, bytes, 'research-only', 'private');
      expect(dataset.accessPolicy).toBe('private');
      const res = await (await t.as(LAB)).get(`/blobs/${sha256(bytes)}`).expect(403);
      expect(res.body.error).toBe('DATASET_PRIVATE');

      // The owner makes it public: now anyone may fetch it, with no credential.
      const alice_ = await t.as(ALICE);
      await alice_.put(`/datasets/${dataset.id}/access`).send({ policy: 'public' }).expect(200);
      await t.http.get(`/blobs/${sha256(bytes)}`).expect(200);
      const notOwner = await (
        await t.as(LAB)
      )
        .put(`/datasets/${dataset.id}/access`)
        .send({ policy: 'private' })
        .expect(403);
      expect(notOwner.body.error).toBe('NOT_OWNER');
      const bad = await alice_.put(`/datasets/${dataset.id}/access`).send({ policy: 'everyone' }).expect(400);
      expect(bad.body.details[0].field).toBe('policy');

      const open = await registered(ALICE, Buffer.from('open training data'), 'open-training');
      expect(open.accessPolicy).toBe('public');
      await t.http.get(`/datasets/${open.id}/files/content?path=data.bin`).expect(200);
    });

    it('signs short-lived download URLs bound to the caller, the dataset and the file; altered or expired ones are refused', async () => {
      const bytes = Buffer.from('signed url bytes '.repeat(20));
      const dataset = await registered(ALICE, bytes, 'research-only');
      const owner = await t.as(ALICE);
      const signed = await owner.post(`/datasets/${dataset.id}/files/url`).send({ path: 'data.bin' }).expect(201);
      const url = signed.body.url as string;
      const fetched = await t.http.get(url).buffer(true).expect(200);
      expect(Buffer.from(fetched.body as Buffer).equals(bytes)).toBe(true);

      const other = sha256(Buffer.from('another'));
      for (const altered of [
        url.replace(/sig=[^&]+/, 'sig=' + 'A'.repeat(43)),
        url.replace(/expires=(\d+)/, (_, e: string) => `expires=${Number(e) + 3600}`),
        url.replace(/account=[^&]+/, `account=${eve.address.toLowerCase()}`),
        url.replace(/^\/blobs\/[0-9a-f]{64}/, `/blobs/${other}`),
      ]) {
        const res = await t.http.get(altered).expect(403);
        expect(res.body.error).toBe('SIGNED_URL_INVALID');
      }
      const stranger = await (await t.as(EVE)).post(`/datasets/${dataset.id}/files/url`).send({ path: 'data.bin' });
      expect(stranger.status).toBe(403);

      const short = await owner
        .post(`/datasets/${dataset.id}/files/url`)
        .send({ path: 'data.bin', expiresInSeconds: 1 })
        .expect(201);
      await new Promise((r) => setTimeout(r, 2100));
      const expired = await t.http.get(short.body.url as string).expect(403);
      expect(expired.body.message).toContain('expired');
    });
  });

  describe('uploads belong to an account', () => {
    it('refuses anonymous uploads, and registrations of bytes the account neither uploaded nor may fetch', async () => {
      await t.http.put('/blobs').set('content-type', 'application/octet-stream').send(Buffer.from('anon')).expect(401);
      await t.http.post('/uploads').set('Tus-Resumable', '1.0.0').set('Upload-Length', '4').expect(401);

      // Alice's licensed bytes: Eve knows the published hash but does not hold the file.
      const bytes = Buffer.from('alice only '.repeat(30));
      await registered(ALICE, bytes, 'research-only');
      const tree = await buildContentTree([{ path: 'copy.bin', size: BigInt(bytes.length), sha256: sha256(bytes) }]);
      const body = await signRegistration(eve, {
        entries: [...tree.entries],
        contentRoot: tree.root,
        title: 'not mine',
        license: { template: 'open-training' },
        domain,
      });
      const res = await (await t.as(EVE)).post('/datasets').send(body).expect(403);
      expect(res.body).toMatchObject({ error: 'BLOB_NOT_AVAILABLE', details: [{ field: 'files[0].sha256' }] });

      // Registering for someone else: the signed-in account must be an owner.
      const forAlice = await signRegistration(alice, {
        entries: [...tree.entries],
        contentRoot: tree.root,
        title: 'alice copy',
        license: { template: 'open-training' },
        domain,
      });
      const notOwner = await (await t.as(EVE)).post('/datasets').send(forAlice).expect(403);
      expect(notOwner.body.error).toBe('NOT_OWNER');
    });

    it("keeps a tus upload its opener's: others get 404 on HEAD, PATCH and DELETE", async () => {
      const owner = await t.as(ALICE);
      const created = await owner.post('/uploads').set('Tus-Resumable', '1.0.0').set('Upload-Length', '6').expect(201);
      const location = created.headers.location;
      const stranger = await t.as(EVE);
      await stranger.head(location).set('Tus-Resumable', '1.0.0').expect(404);
      const patch = await stranger
        .patch(location)
        .set('Tus-Resumable', '1.0.0')
        .set('Upload-Offset', '0')
        .set('Content-Type', 'application/offset+octet-stream')
        .send(Buffer.from('evil!!'));
      expect(patch.status).toBe(404);
      await stranger.delete(location).set('Tus-Resumable', '1.0.0').expect(404);
      // Still the owner's, untouched.
      const head = await owner.head(location).set('Tus-Resumable', '1.0.0').expect(200);
      expect(head.headers['upload-offset']).toBe('0');
      const done = await owner
        .patch(location)
        .set('Tus-Resumable', '1.0.0')
        .set('Upload-Offset', '0')
        .set('Content-Type', 'application/offset+octet-stream')
        .send(Buffer.from('mine!!'));
      expect(done.status).toBe(204);
      expect(done.headers['upload-sha256']).toBe(sha256(Buffer.from('mine!!')));
    });

    it("does not let another account cut short the owner's PATCH in flight", async () => {
      const owner = await t.as(ALICE);
      const tokenAlice = await t.tokenOf(ALICE);
      const bytes = Buffer.alloc(3000, 9);
      const created = await owner
        .post('/uploads')
        .set('Tus-Resumable', '1.0.0')
        .set('Upload-Length', '3000')
        .expect(201);
      const url = new URL(created.headers.location, t.baseUrl);
      const answer = new Promise<{ status: number; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
        const req = http.request(
          url,
          {
            method: 'PATCH',
            headers: {
              'Tus-Resumable': '1.0.0',
              'Upload-Offset': '0',
              'Content-Type': 'application/offset+octet-stream',
              'Content-Length': '3000',
              authorization: `Bearer ${tokenAlice}`,
            },
          },
          (res) => {
            res.resume();
            res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
          },
        );
        req.once('error', reject);
        req.write(bytes.subarray(0, 1000));
        // While the owner's PATCH waits for the rest, a stranger tries the same upload.
        void (async () => {
          await new Promise((r) => setTimeout(r, 200));
          const stranger = await (
            await t.as(EVE)
          )
            .patch(url.pathname)
            .set('Tus-Resumable', '1.0.0')
            .set('Upload-Offset', '0')
            .set('Content-Type', 'application/offset+octet-stream')
            .send(Buffer.from('x'));
          expect(stranger.status).toBe(404);
          req.end(bytes.subarray(1000));
        })().catch(reject);
      });
      const done = await answer;
      expect(done.status).toBe(204);
      expect(done.headers['upload-sha256']).toBe(sha256(bytes));
    });

    it('holds each account to UPLOAD_QUOTA_BYTES: a body crossing it mid-stream is discarded and the quota unchanged', async () => {
      const bob = await t.as(6);
      const before = (await bob.get('/auth/session').expect(200)).body.storage;
      expect(before).toEqual({ usedBytes: '0', limitBytes: '20000' });
      await bob.put('/blobs').set('content-type', 'application/octet-stream').send(Buffer.alloc(15000, 1)).expect(200);

      const over = Buffer.alloc(6000, 2);
      const declared = await bob.put('/blobs').set('content-type', 'application/octet-stream').send(over);
      expect(declared.status).toBe(413);
      expect(declared.body).toMatchObject({ error: 'QUOTA_EXCEEDED', usedBytes: '15000', limitBytes: '20000' });

      // No Content-Length: the limit is found mid-stream.
      const streamed = await fetch(new URL('/blobs', t.baseUrl), {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream', ...bearer(await t.tokenOf(6)) },
        body: new Blob([over]).stream(),
        duplex: 'half',
      });
      expect(streamed.status).toBe(413);
      expect(((await streamed.json()) as { error: string }).error).toBe('QUOTA_EXCEEDED');
      const stored = await db.query(`SELECT 1 FROM blobs WHERE sha256 = $1`, [sha256(over)]);
      expect(stored.rowCount).toBe(0);
      expect((await bob.get('/auth/session').expect(200)).body.storage.usedBytes).toBe('15000');
      // The running total the quota reads is the sum over the account's holder rows.
      const totals = await db.query(
        `SELECT (SELECT used_bytes::text FROM account_storage WHERE account = $1) AS kept,
                (SELECT sum(size)::text FROM blob_holders WHERE account = $1) AS summed`,
        [new Wallet(t.chain.privateKey(6)).address.toLowerCase()],
      );
      expect(totals.rows[0]).toEqual({ kept: '15000', summed: '15000' });

      const tus = await bob.post('/uploads').set('Tus-Resumable', '1.0.0').set('Upload-Length', '6000');
      expect(tus.status).toBe(413);
      expect(JSON.parse(tus.text)).toMatchObject({ error: 'QUOTA_EXCEEDED' });

      // A tus upload whose length comes later (creation-defer-length) meets the quota when it names it.
      const deferred = await bob
        .post('/uploads')
        .set('Tus-Resumable', '1.0.0')
        .set('Upload-Defer-Length', '1')
        .expect(201);
      const named = await bob
        .patch(deferred.headers.location)
        .set({
          'Tus-Resumable': '1.0.0',
          'Content-Type': 'application/offset+octet-stream',
          'Upload-Offset': '0',
          'Upload-Length': '6000',
        })
        .send(over);
      expect(named.status).toBe(413);
      expect(JSON.parse(named.text)).toMatchObject({ error: 'QUOTA_EXCEEDED', details: [{ field: 'Upload-Length' }] });
      expect((await db.query(`SELECT 1 FROM blobs WHERE sha256 = $1`, [sha256(over)])).rowCount).toBe(0);
    });
  });
});

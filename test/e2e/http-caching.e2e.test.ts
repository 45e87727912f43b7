import { createHash } from 'node:crypto';
import http from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildContentTree, type UpstreamDomain } from '@upstream/provenance';
import { signRegistration } from '../../apps/cli/src/contribution/registration';
import { startTestApp, type TestApp } from '../support/app';
import { signLicense } from '../support/catalogue-fixtures';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The bytes as they came over the wire (not decompressed). */
  body: Buffer;
}

/** One request with node's own http client: no decompression, no caching, headers exactly as sent. */
function raw(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, baseUrl), { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const varyOf = (res: RawResponse) =>
  String(res.headers.vary ?? '')
    .split(',')
    .map((v) => v.trim().toLowerCase())
    .filter((v) => v !== '');

/** RFC 9110 conditional requests and caching headers on bytes and JSON; compression by Accept-Encoding. */
describe('HTTP caching and compression, with a raw HTTP client', () => {
  let t: TestApp;
  let domain: UpstreamDomain;
  const ALICE = 3;
  const LAB = 4;
  const bearer = async (who: number) => ({ Authorization: `Bearer ${await t.tokenOf(who)}` });

  beforeAll(async () => {
    t = await startTestApp({}, { validateResponses: true });
    domain = (await t.http.get('/chain').expect(200)).body.eip712Domain;
  });
  afterAll(async () => {
    await t?.close();
  });

  async function registered(who: number, bytes: Buffer, license: 'open-training' | 'research-only') {
    const agent = await t.as(who);
    await agent.put('/blobs').set('content-type', 'application/octet-stream').send(bytes).expect(200);
    const tree = await buildContentTree([{ path: 'data.bin', size: BigInt(bytes.length), sha256: sha256(bytes) }]);
    const body = await signRegistration(new Wallet(t.chain.privateKey(who)), {
      entries: [...tree.entries],
      contentRoot: tree.root,
      title: `dataset ${tree.root.slice(0, 10)}`,
      license: { template: license },
      domain,
    });
    const res = await agent.post('/datasets').send(body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; contentRoot: string; accessPolicy: string; license: { termsHash: string } };
  }

  describe('public blob bytes', () => {
    // Text that gzip would shrink a lot: it must still go byte for byte.
    const bytes = Buffer.from('public training text, highly compressible. '.repeat(200));
    const digest = sha256(bytes);
    const path = `/blobs/${digest}`;
    const etag = `"${digest}"`;
    let lastModified: string;

    beforeAll(async () => {
      const dataset = await registered(ALICE, bytes, 'open-training');
      expect(dataset.accessPolicy).toBe('public');
    });

    it('answers 200 with a strong ETag, Last-Modified, shared-cacheable immutable caching, and the exact bytes even to gzip/br clients', async () => {
      const res = await raw(t.baseUrl, 'GET', path, { 'Accept-Encoding': 'gzip, br' });
      expect(res.status).toBe(200);
      expect(res.headers.etag).toBe(etag);
      expect(res.headers['cache-control']).toBe('public, max-age=86400, immutable, no-transform');
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(res.headers['content-length']).toBe(String(bytes.length));
      expect(sha256(res.body)).toBe(digest);
      // The same for every caller: no Vary on credentials or encodings, so shared caches keep one copy.
      expect(varyOf(res)).not.toContain('authorization');
      expect(varyOf(res)).not.toContain('accept-encoding');
      lastModified = String(res.headers['last-modified']);
      expect(new Date(lastModified).getTime()).not.toBeNaN();
    });

    it.each([
      ['its strong ETag', etag],
      ['its ETag marked weak (weak comparison)', `W/${etag}`],
      ['a list holding its ETag', `"0000", W/"1111", ${etag}`],
      ['*', '*'],
    ])('answers If-None-Match with %s: 304, no body, the validators and caching headers', async (_, header) => {
      const res = await raw(t.baseUrl, 'GET', path, { 'If-None-Match': header });
      expect(res.status).toBe(304);
      expect(res.body.length).toBe(0);
      expect(res.headers.etag).toBe(etag);
      expect(res.headers['cache-control']).toContain('immutable');
    });

    it('answers 200 with the bytes when If-None-Match names other tags', async () => {
      const res = await raw(t.baseUrl, 'GET', path, { 'If-None-Match': '"0000", W/"1111"' });
      expect(res.status).toBe(200);
      expect(sha256(res.body)).toBe(digest);
    });

    it('answers If-Modified-Since: 304 at or after Last-Modified, 200 before it or for a date that is no date', async () => {
      expect((await raw(t.baseUrl, 'GET', path, { 'If-Modified-Since': lastModified })).status).toBe(304);
      const later = new Date(Date.parse(lastModified) + 3600_000).toUTCString();
      expect((await raw(t.baseUrl, 'GET', path, { 'If-Modified-Since': later })).status).toBe(304);
      const earlier = new Date(Date.parse(lastModified) - 3600_000).toUTCString();
      const stale = await raw(t.baseUrl, 'GET', path, { 'If-Modified-Since': earlier });
      expect(stale.status).toBe(200);
      expect(sha256(stale.body)).toBe(digest);
      expect((await raw(t.baseUrl, 'GET', path, { 'If-Modified-Since': 'yesterday' })).status).toBe(200);
    });

    it('lets If-None-Match take precedence over If-Modified-Since', async () => {
      const earlier = new Date(Date.parse(lastModified) - 3600_000).toUTCString();
      const later = new Date(Date.parse(lastModified) + 3600_000).toUTCString();
      // A matching tag wins over a date that alone would say "modified".
      expect((await raw(t.baseUrl, 'GET', path, { 'If-None-Match': etag, 'If-Modified-Since': earlier })).status).toBe(
        304,
      );
      // A tag that does not match wins over a date that alone would say "not modified".
      expect(
        (await raw(t.baseUrl, 'GET', path, { 'If-None-Match': '"other"', 'If-Modified-Since': later })).status,
      ).toBe(200);
    });

    it('answers HEAD with the headers of the whole blob and no body, and with 304 when conditional', async () => {
      const head = await raw(t.baseUrl, 'HEAD', path);
      expect(head.status).toBe(200);
      expect(head.body.length).toBe(0);
      expect(head.headers['content-length']).toBe(String(bytes.length));
      expect(head.headers.etag).toBe(etag);
      expect(head.headers['accept-ranges']).toBe('bytes');
      expect((await raw(t.baseUrl, 'HEAD', path, { 'If-None-Match': etag })).status).toBe(304);
    });

    it('evaluates If-None-Match before Range, and If-Range by strong comparison (ETag or exact date)', async () => {
      expect((await raw(t.baseUrl, 'GET', path, { Range: 'bytes=0-9', 'If-None-Match': etag })).status).toBe(304);

      const byTag = await raw(t.baseUrl, 'GET', path, { Range: 'bytes=0-9', 'If-Range': etag });
      expect(byTag.status).toBe(206);
      expect(byTag.body.equals(bytes.subarray(0, 10))).toBe(true);
      const byDate = await raw(t.baseUrl, 'GET', path, { Range: 'bytes=10-19', 'If-Range': lastModified });
      expect(byDate.status).toBe(206);
      expect(byDate.body.equals(bytes.subarray(10, 20))).toBe(true);

      // A weak tag never matches If-Range; nor does another date: the whole blob.
      for (const ifRange of [`W/${etag}`, new Date(Date.parse(lastModified) - 1000).toUTCString()]) {
        const whole = await raw(t.baseUrl, 'GET', path, { Range: 'bytes=0-9', 'If-Range': ifRange });
        expect(whole.status, ifRange).toBe(200);
        expect(sha256(whole.body)).toBe(digest);
      }
    });
  });

  describe('licensed bytes', () => {
    const bytes = Buffer.from('licensed bytes for revalidation '.repeat(64));
    const digest = sha256(bytes);
    const etag = `"${digest}"`;
    let dataset: Awaited<ReturnType<typeof registered>>;
    let content: string;

    beforeAll(async () => {
      dataset = await registered(ALICE, bytes, 'research-only');
      expect(dataset.accessPolicy).toBe('licensed');
      content = `/datasets/${dataset.id}/files/content?path=data.bin`;
    });

    it('checks access before any 304: a validator gets the unentitled nothing but their refusal', async () => {
      for (const path of [content, `/blobs/${digest}`]) {
        const anonymous = await raw(t.baseUrl, 'GET', path, { 'If-None-Match': etag });
        expect(anonymous.status).toBe(401);
        expect(anonymous.headers.etag).not.toBe(etag);
        expect(anonymous.headers['cache-control']).toBe('no-store');
        const stranger = await raw(t.baseUrl, 'GET', path, { 'If-None-Match': etag, ...(await bearer(LAB)) });
        expect(stranger.status).toBe(403);
        expect(stranger.headers.etag).not.toBe(etag);
        expect(JSON.parse(stranger.body.toString()).error).toBe('LICENSE_REQUIRED');
        const head = await raw(t.baseUrl, 'HEAD', path, { 'If-None-Match': etag, ...(await bearer(LAB)) });
        expect(head.status).toBe(403);
      }
    });

    it('is private to the caller (no shared cache, revalidated each time, Vary: Authorization) and revalidates with 304', async () => {
      for (const path of [content, `/blobs/${digest}`]) {
        const owner = await raw(t.baseUrl, 'GET', path, { ...(await bearer(ALICE)), 'Accept-Encoding': 'gzip' });
        expect(owner.status).toBe(200);
        expect(owner.headers['cache-control']).toBe('private, no-cache, no-transform');
        expect(varyOf(owner)).toContain('authorization');
        expect(owner.headers['content-encoding']).toBeUndefined();
        expect(sha256(owner.body)).toBe(digest);
        const again = await raw(t.baseUrl, 'GET', path, { ...(await bearer(ALICE)), 'If-None-Match': etag });
        expect(again.status).toBe(304);
        expect(again.body.length).toBe(0);
        expect(again.headers['cache-control']).toBe('private, no-cache, no-transform');
      }
    });

    it('revalidates a signed download URL with 304', async () => {
      const signed = await (
        await t.as(ALICE)
      )
        .post(`/datasets/${dataset.id}/files/url`)
        .send({ path: 'data.bin' })
        .expect(201);
      const url = signed.body.url as string;
      const first = await raw(t.baseUrl, 'GET', url);
      expect(first.status).toBe(200);
      expect(first.headers['cache-control']).toBe('private, no-cache, no-transform');
      expect((await raw(t.baseUrl, 'GET', url, { 'If-None-Match': etag })).status).toBe(304);
    });

    it('records a delivery for bytes sent, none for a 304 or a HEAD', async () => {
      const lab = new Wallet(t.chain.privateKey(LAB));
      await t.http
        .post('/licenses')
        .send(await signLicense(lab, domain, { datasetId: dataset.contentRoot, termsHash: dataset.license.termsHash }))
        .expect(201);
      const auth = await bearer(LAB);
      expect((await raw(t.baseUrl, 'GET', content, auth)).status).toBe(200);
      for (let i = 0; i < 3; i++)
        expect((await raw(t.baseUrl, 'GET', content, { ...auth, 'If-None-Match': etag })).status).toBe(304);
      expect((await raw(t.baseUrl, 'HEAD', content, auth)).status).toBe(200);

      // Receipts are written in batches within a second.
      await new Promise((r) => setTimeout(r, 1_500));
      const seen = await (await t.as(ALICE)).get(`/datasets/${dataset.id}/deliveries`).expect(200);
      const labs = (seen.body.items as { account: string; bytes: string }[]).filter(
        (d) => d.account === lab.address.toLowerCase(),
      );
      expect(labs).toEqual([expect.objectContaining({ firstByte: '0', bytes: String(bytes.length) })]);
    });
  });

  describe('JSON', () => {
    it('compresses with gzip or br as the client accepts, and says Vary: Accept-Encoding', async () => {
      const plain = await raw(t.baseUrl, 'GET', '/docs/json');
      expect(plain.status).toBe(200);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.body.length).toBeGreaterThan(1024);
      const document = JSON.parse(plain.body.toString('utf8')) as unknown;

      const gzip = await raw(t.baseUrl, 'GET', '/docs/json', { 'Accept-Encoding': 'gzip' });
      expect(gzip.headers['content-encoding']).toBe('gzip');
      expect(gzip.body.length).toBeLessThan(plain.body.length / 3);
      expect(JSON.parse(gunzipSync(gzip.body).toString('utf8'))).toEqual(document);

      const br = await raw(t.baseUrl, 'GET', '/docs/json', { 'Accept-Encoding': 'br' });
      expect(br.headers['content-encoding']).toBe('br');
      expect(JSON.parse(brotliDecompressSync(br.body).toString('utf8'))).toEqual(document);

      for (const res of [plain, gzip, br]) expect(varyOf(res)).toContain('accept-encoding');
    });

    it('compresses a JSON route past the threshold and leaves small ones as they are', async () => {
      const page = await raw(t.baseUrl, 'GET', '/datasets', { 'Accept-Encoding': 'gzip' });
      expect(page.status).toBe(200);
      expect(page.headers['content-encoding']).toBe('gzip');
      expect(JSON.parse(gunzipSync(page.body).toString('utf8'))).toHaveProperty('items');

      const small = await raw(t.baseUrl, 'GET', '/health', { 'Accept-Encoding': 'gzip' });
      expect(small.body.length).toBeLessThan(1024);
      expect(small.headers['content-encoding']).toBeUndefined();
    });

    it('revalidates public reads with 304 and keeps reads for a caller private to that caller', async () => {
      const list = await raw(t.baseUrl, 'GET', '/datasets');
      expect(list.headers['cache-control']).toBe('no-cache');
      expect(varyOf(list)).not.toContain('authorization');
      const etag = String(list.headers.etag);
      expect((await raw(t.baseUrl, 'GET', '/datasets', { 'If-None-Match': etag })).status).toBe(304);

      const keys = await raw(t.baseUrl, 'GET', '/auth/keys', await bearer(ALICE));
      expect(keys.status).toBe(200);
      expect(keys.headers['cache-control']).toBe('private, no-cache');
      expect(varyOf(keys)).toContain('authorization');

      // tus 1.0: the HEAD of an upload is never cached (its offset moves).
      const upload = await (
        await t.as(ALICE)
      )
        .post('/uploads')
        .set('Tus-Resumable', '1.0.0')
        .set('Upload-Length', '5')
        .expect(201);
      const offset = await raw(t.baseUrl, 'HEAD', String(upload.headers.location), {
        ...(await bearer(ALICE)),
        'Tus-Resumable': '1.0.0',
      });
      expect(offset.status).toBe(200);
      expect(offset.headers['cache-control']).toBe('no-store');

      const missing = await raw(t.baseUrl, 'GET', '/datasets/00000000-0000-4000-8000-000000000000');
      expect(missing.status).toBe(404);
      expect(missing.headers['cache-control']).toBe('no-store');
    });
  });
});

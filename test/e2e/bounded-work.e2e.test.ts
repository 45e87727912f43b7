import { createHash } from 'node:crypto';
import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildContentTree, verifyFileProof, type UpstreamDomain } from '@upstream/provenance';
import { signRegistration } from '../../apps/cli/src/contribution/registration';
import { bodyReaderStats } from '../../apps/api/src/common/body/json-body-parser';
import { FileListPool } from '../../apps/api/src/contributions/datasets/file-list/file-list.pool';
import { OffLoopPool } from '../../apps/api/src/common/off-loop/off-loop.pool';
import { startTestApp, type TestApp } from '../support/app';
import { byteLength, hostileRegistration, streamPost } from '../support/streamed-post';

describe('bounded work: a body is refused at its first fault, before validation, and others are served meanwhile', () => {
  let t: TestApp;
  let auth: Record<string, string>;
  let pool: FileListPool;
  let domain: UpstreamDomain;

  beforeAll(async () => {
    t = await startTestApp();
    auth = { authorization: `Bearer ${await t.tokenOf(3)}` };
    pool = t.app.get(FileListPool);
    domain = (await t.http.get('/chain').expect(200)).body.eip712Domain;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses 400,000 files (40 MB, fake signature) with 413 naming files while it streams in, unread past the limit; another request answers meanwhile', async () => {
    const before = { ...bodyReaderStats, prepared: pool.prepared };
    let chainAnswered: number | undefined;
    let chainText = '';
    const pieces = [...hostileRegistration(400_000)];
    const sent = await streamPost(t.baseUrl, '/datasets', auth, pieces, {
      pauseAfter: 20, // 40,000 files in: the body is still streaming
      between: async () => {
        // A route that needs neither PostgreSQL nor the chain: only the event loop (a loaded machine can make PostgreSQL slow).
        const chain = await t.http.get('/docs/json');
        chainAnswered = chain.status;
        chainText = chain.text;
      },
    });
    expect(chainAnswered, chainText).toBe(200);
    expect(sent.status).toBe(413);
    expect(sent.body.error).toBe('TOO_MANY_FILES');
    expect(sent.body.details?.[0]).toMatchObject({ field: 'files' });
    expect(sent.body.details?.[0].reason).toContain('MAX_FILES_PER_DATASET');
    // Answered while the client was still sending; nothing was buffered past the limit, parsed, checked or hashed.
    expect(sent.written).toBeLessThan(byteLength(pieces));
    expect(bodyReaderStats.refusedWhileStreaming).toBe(before.refusedWhileStreaming + 1);
    expect(bodyReaderStats.parsed).toBe(before.parsed);
    expect(pool.prepared).toBe(before.prepared);
  });

  it('refuses a declared Content-Length past the route limit before reading any of it', async () => {
    const before = { ...bodyReaderStats };
    const pieces = [...hostileRegistration(400_000)];
    const sent = await streamPost(t.baseUrl, '/datasets', auth, pieces, { contentLength: byteLength(pieces) });
    expect(sent.status).toBe(413);
    expect(sent.body).toMatchObject({ error: 'BODY_TOO_LARGE', details: [{ field: 'body' }] });
    expect(sent.written).toBeLessThan(byteLength(pieces));
    expect(bodyReaderStats.refusedByLength).toBe(before.refusedByLength + 1);
    expect(bodyReaderStats.parsed).toBe(before.parsed);
  });

  it('applies each route its own limits: arrays, strings and nesting, naming the field', async () => {
    const asAlice = await t.as(3);
    const keys = await asAlice
      .post('/auth/keys')
      .send({ label: 'k', scopes: Array.from({ length: 300 }, () => 'read') });
    expect(keys.status).toBe(413);
    expect(keys.body).toMatchObject({ error: 'TOO_MANY_ITEMS', details: [{ field: 'scopes' }] });
    const long = await asAlice.post('/auth/keys').send({ label: 'x'.repeat(40_000), scopes: ['read'] });
    expect(long.status).toBe(413);
    expect(long.body).toMatchObject({ error: 'TEXT_TOO_LONG', details: [{ field: 'label' }] });
    const keyed = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i]));
    const wide = await asAlice.post('/auth/keys').send({ label: 'k', scopes: ['read'], extra: keyed });
    expect(wide.status).toBe(413);
    expect(wide.body).toMatchObject({ error: 'TOO_MANY_ITEMS', details: [{ field: 'extra' }] });
    // POST /datasets nests at most 8 levels (the default route 32).
    const deep = await asAlice
      .post('/datasets')
      .set('content-type', 'application/json')
      .send(`{"title":${'['.repeat(8)}${']'.repeat(8)}}`);
    expect(deep.status).toBe(400);
    expect(deep.body).toMatchObject({ error: 'MALFORMED_BODY', details: [{ field: 'body' }] });
    expect(deep.body.details[0].reason).toContain('8 levels');
    // Nesting 60,000 deep on any route: refused at level 33, never parsed.
    const deeper = await t.http.post('/auth/nonce').set('content-type', 'application/json').send('['.repeat(60_000));
    expect(deeper.status).toBe(400);
  });

  it('refuses __proto__, constructor and prototype keys anywhere, escaped or not, and pollutes nothing', async () => {
    const asAlice = await t.as(3);
    const cases: [string, string][] = [
      ['{"__proto__":{"polluted":true},"label":"k","scopes":["read"]}', '__proto__'],
      ['{"label":"k","scopes":["read"],"\\u005f_proto__":{"polluted":true}}', '__proto__'],
      ['{"label":"k","scopes":["read"],"constructor":{"prototype":{"polluted":true}}}', 'constructor'],
      ['{"title":"t","owners":[{"account":"0x","prototype":1}]}', 'owners[0].prototype'],
    ];
    for (const [body, field] of cases) {
      const res = await asAlice
        .post(field.startsWith('owners') ? '/datasets' : '/auth/keys')
        .set('content-type', 'application/json')
        .send(body);
      expect(res.status, body).toBe(400);
      expect(res.body, body).toMatchObject({ error: 'MALFORMED_BODY', details: [{ field }] });
    }
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('registers 3,000 files and 40 owners with the files and the Contribution checked and hashed in a worker thread, as the CLI signed them', async () => {
    const wallet = new Wallet(t.chain.privateKey(3));
    const inputs = Array.from({ length: 3_000 }, (_, i) => ({
      path: `shard-${String(i).padStart(5, '0')}/part.bin`,
      size: BigInt(1_000 + i),
      sha256: (i + 1).toString(16).padStart(64, 'a'),
    }));
    const tree = await buildContentTree(inputs);
    const body = await signRegistration(wallet, {
      title: 'Three thousand shards',
      entries: [...tree.entries].reverse(),
      contentRoot: tree.root,
      externalUri: 'https://example.org/shards/',
      // 40 owners: the Contribution's checks and EIP-712 digest run in the worker too.
      owners: [
        { account: wallet.address, shareBps: 9_961 },
        ...Array.from({ length: 39 }, (_, i) => ({
          account: '0x' + (i + 1).toString(16).padStart(40, '0'),
          shareBps: 1,
        })),
      ],
      domain,
    });
    const asAlice = await t.as(3);
    const offloaded = pool.offloaded;
    const bad = structuredClone(body);
    bad.files[1234].sha256 = 'not-a-digest';
    const refused = await asAlice.post('/datasets').send(bad);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: 'VALIDATION_FAILED', details: [{ field: 'files[1234].sha256' }] });
    const res = await asAlice.post('/datasets').send(body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ contentRoot: tree.root.toLowerCase(), fileCount: 3_000 });
    // Files twice (the refused body and this one), the Contribution once.
    expect(pool.offloaded).toBe(offloaded + 3);

    // A file's proof rebuilds the stored dataset's whole tree: in the worker too, and it verifies.
    const path = inputs[2_999].path;
    const proof = await t.http.get(`/datasets/${res.body.id}/files/proof`).query({ path }).expect(200);
    expect(pool.offloaded).toBe(offloaded + 4);
    expect(proof.body.contentRoot).toBe(tree.root);
    expect(await verifyFileProof(tree.root, inputs[2_999], proof.body.proof)).toBe(true);
    const unknown = await t.http.get(`/datasets/${res.body.id}/files/proof`).query({ path: 'nope.bin' });
    expect(unknown.status).toBe(404);
  });

  it('answers POST /blobs/missing for 100,000 digests with the list checked in a worker thread, naming a malformed digest by its place', async () => {
    const offLoop = t.app.get(OffLoopPool);
    const before = offLoop.ran.get('missingDigestsOfBody') ?? 0;
    const asAlice = await t.as(3);
    const bytes = Buffer.from('a blob the store holds');
    const stored = (await asAlice.put('/blobs').set('content-type', 'application/octet-stream').send(bytes).expect(200))
      .body.sha256 as string;
    const digests = Array.from({ length: 100_000 }, (_, i) => createHash('sha256').update(`d${i}`).digest('hex'));
    // Asked: the stored one (with 0x and in capitals), a repeat, and 99,998 the store lacks.
    const asked = [
      ...digests.slice(0, 50_000),
      `0x${stored.toUpperCase()}`,
      digests[7],
      ...digests.slice(50_000, 99_998),
    ];
    const res = await asAlice.post('/blobs/missing').send({ sha256s: asked });
    expect(res.status).toBe(200);
    expect(res.body.missing).toEqual(digests.slice(0, 99_998));

    const malformed = [...digests];
    malformed[70_000] = 'xyz';
    const refused = await asAlice.post('/blobs/missing').send({ sha256s: malformed });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      error: 'VALIDATION_FAILED',
      details: [{ field: 'sha256s[70000]', reason: 'must be 64 hex digits (a SHA-256)' }],
    });
    expect(offLoop.ran.get('missingDigestsOfBody')).toBe(before + 2);
    // A short list is answered on the event loop, with the same rules.
    const short = await asAlice.post('/blobs/missing').send({ sha256s: [stored, 42] });
    expect(short.body).toMatchObject({ error: 'VALIDATION_FAILED', details: [{ field: 'sha256s[1]' }] });
    expect(offLoop.ran.get('missingDigestsOfBody')).toBe(before + 2);
  });
});

import http from 'node:http';
import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildContentTree, verifyFileProof, type UpstreamDomain } from '@upstream/provenance';
import { signRegistration } from '../../apps/cli/src/contribution/registration';
import { bodyReaderStats } from '../../apps/api/src/common/body/json-body-parser';
import { FileListPool } from '../../apps/api/src/contributions/datasets/file-list/file-list.pool';
import { startTestApp, type TestApp } from '../support/app';

/** Resolves when `req` can take more, or closed. */
function drained(req: http.ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      req.off('drain', done).off('close', done);
      resolve();
    };
    req.once('drain', done).once('close', done);
  });
}

interface Sent {
  status: number;
  body: { error?: string; details?: { field: string; reason: string }[]; id?: string };
  /** Bytes of the body written before the answer came (or the connection closed). */
  written: number;
  total: number;
}

/**
 * POSTs a body piece by piece, as a hostile client would stream it, and stops writing as soon as the
 * answer arrives. `between` runs after `pauseAfter` pieces, while the request is still open.
 */
function stream(
  baseUrl: string,
  path: string,
  headers: Record<string, string>,
  pieces: Buffer[],
  options: { contentLength?: boolean; pauseAfter?: number; between?: () => Promise<void> } = {},
): Promise<Sent> {
  const total = pieces.reduce((sum, p) => sum + p.length, 0);
  return new Promise<Sent>((resolve, reject) => {
    let written = 0;
    let answered = false;
    const req = http.request(`${baseUrl}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...headers,
        ...(options.contentLength ? { 'content-length': String(total) } : {}),
      },
    });
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Sent['body']) : {}, written, total });
      });
    });
    // Writes after the server closed the connection fail; the answer is what counts.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    void (async () => {
      for (let i = 0; i < pieces.length && !answered; i++) {
        if (i === options.pauseAfter && options.between) await options.between();
        if (answered || req.destroyed) break;
        written += pieces[i].length;
        if (!req.write(pieces[i])) await drained(req);
      }
      if (!answered && !req.destroyed) req.end();
    })();
  });
}

/** A registration body listing `count` fake files, in pieces of `per` entries (about 100 bytes an entry). */
function hostileRegistration(count: number, per = 2_000): Buffer[] {
  const pieces = [Buffer.from('{"title":"many","storage":"external","externalUri":"https://example.org/","files":[')];
  for (let start = 0; start < count; start += per) {
    const entries: string[] = [];
    for (let i = start; i < Math.min(count, start + per); i++)
      entries.push(`{"path":"f/${i}.bin","size":"${i}","sha256":"${i.toString(16).padStart(64, '0')}"}`);
    pieces.push(Buffer.from((start === 0 ? '' : ',') + entries.join(',')));
  }
  pieces.push(
    Buffer.from(
      `],"contentRoot":"0x${'00'.repeat(32)}","owners":[{"account":"0x${'11'.repeat(20)}","shareBps":10000}],` +
        `"license":{"template":"open-training"},"nonce":"1","deadline":"1893456000","signature":"0x${'1b'.repeat(65)}"}`,
    ),
  );
  return pieces;
}

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
    const pieces = hostileRegistration(400_000);
    const sent = await stream(t.baseUrl, '/datasets', auth, pieces, {
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
    expect(sent.written).toBeLessThan(sent.total);
    expect(bodyReaderStats.refusedWhileStreaming).toBe(before.refusedWhileStreaming + 1);
    expect(bodyReaderStats.parsed).toBe(before.parsed);
    expect(pool.prepared).toBe(before.prepared);
  });

  it('refuses a declared Content-Length past the route limit before reading any of it', async () => {
    const before = { ...bodyReaderStats };
    const sent = await stream(t.baseUrl, '/datasets', auth, hostileRegistration(400_000), {
      contentLength: true,
    });
    expect(sent.status).toBe(413);
    expect(sent.body).toMatchObject({ error: 'BODY_TOO_LARGE', details: [{ field: 'body' }] });
    expect(sent.written).toBeLessThan(sent.total);
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
});

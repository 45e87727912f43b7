import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import type TestAgent from 'supertest/lib/agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildContentTree, type UpstreamDomain } from '@upstream/provenance';
import { signRegistration, type RegistrationInput } from '../../apps/cli/src/contribution/registration';
import { startTestApp, type TestApp } from '../support/app';
import { withClient } from '../support/pg-client';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A dataset's files: path → bytes. */
type Files = Record<string, Buffer>;

describe('overlap: nobody registers another owner’s files without declaring them as a parent', () => {
  let t: TestApp;
  let dataDir: string;
  let domain: UpstreamDomain;
  let alice: Wallet;
  let bob: Wallet;
  let carol: Wallet;
  let dave: Wallet;
  let as: Map<Wallet, TestAgent>;

  /** Alice's photos: 6,000 bytes in three files, plus an empty file (empty files never count). */
  const photos: Files = {
    'cat-1.jpg': randomBytes(3000),
    'cat-2.jpg': randomBytes(2000),
    'cat-3.jpg': randomBytes(1000),
    'empty.txt': Buffer.alloc(0),
  };
  let original: { id: string; contentRoot: string; createdAt: string };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'upstream-overlaps-'));
    t = await startTestApp({ DATA_DIR: dataDir }, { validateResponses: true });
    domain = (await t.http.get('/chain').expect(200)).body.eip712Domain;
    [alice, bob, carol, dave] = [3, 4, 5, 6].map((i) => new Wallet(t.chain.privateKey(i)));
    as = new Map(await Promise.all([alice, bob, carol, dave].map(async (w) => [w, await t.as(w)] as const)));
  });
  afterAll(async () => {
    await t?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** Uploads the files as `signer` (proof of possession: a copier must hold the bytes too) and signs their registration. */
  async function signed(
    signer: Wallet,
    files: Files,
    input: Omit<RegistrationInput, 'domain' | 'title' | 'entries' | 'contentRoot'> = {},
  ) {
    const http = as.get(signer)!;
    for (const bytes of Object.values(files))
      await http.put('/blobs').set('content-type', 'application/octet-stream').send(bytes).expect(200);
    const tree = await buildContentTree(
      Object.entries(files).map(([path, bytes]) => ({ path, size: BigInt(bytes.length), sha256: sha256(bytes) })),
    );
    return signRegistration(signer, {
      entries: [...tree.entries],
      contentRoot: tree.root,
      title: `${Object.keys(files)[0]} and more`,
      domain,
      ...input,
    });
  }

  const register = (signer: Wallet, body: object) => as.get(signer)!.post('/datasets').send(body);

  async function accepted(signer: Wallet, files: Files, input: Parameters<typeof signed>[2] = {}) {
    const res = await register(signer, await signed(signer, files, input));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  }

  const datasetCount = () =>
    withClient(t.database.url, (c) => c.query(`SELECT count(*)::int AS n FROM datasets`).then((r) => r.rows[0].n));

  /** The same bytes under other names: a different content root, so only the overlap check can tell. */
  const renamed = (files: Files, prefix: string): Files =>
    Object.fromEntries(Object.entries(files).map(([path, bytes]) => [`${prefix}/${path}`, bytes]));

  it('registers an original with no overlaps, checked at registration', async () => {
    const body = await accepted(alice, photos);
    expect(body.overlaps).toEqual({
      checkedAt: expect.any(String),
      count: 0,
      undeclaredFraction: 0,
      items: [],
      url: `/datasets/${body.id}/overlaps`,
    });
    original = body;
  });

  it('refuses a renamed copy by another owner with 409 UNDECLARED_OVERLAP, naming the original as the parent to declare; writes nothing', async () => {
    const before = await datasetCount();
    const res = await register(bob, await signed(bob, renamed(photos, 'mine')));
    expect(res.status, JSON.stringify(res.body)).toBe(409);
    expect(res.body).toMatchObject({
      error: 'UNDECLARED_OVERLAP',
      undeclaredFraction: 1,
      refuseFraction: 0.5,
      suggestedParents: [original.contentRoot],
      overlaps: [
        {
          datasetId: original.id,
          contentRoot: original.contentRoot,
          owners: [{ account: alice.address.toLowerCase(), shareBps: 10_000 }],
          sharedFiles: 3,
          sharedBytes: '6000',
          fraction: 1,
          registeredAt: original.createdAt,
          relation: 'undeclared',
        },
      ],
    });
    expect(res.body.message).toContain(original.contentRoot);
    expect(res.body.message).toContain('OVERLAP_REFUSE_FRACTION');
    expect(res.body.details).toEqual([
      { field: 'parents', reason: expect.stringContaining(`"datasetId": "${original.contentRoot}"`) },
    ]);
    expect(await datasetCount()).toBe(before);
  });

  let declaredCopy: { id: string; contentRoot: string };

  it('accepts the same copy when it declares the original as a parent, and reports the overlap as declared', async () => {
    const body = await accepted(bob, renamed(photos, 'derived'), {
      parents: [{ datasetId: original.contentRoot, upstreamBps: 2000 }],
    });
    expect(body.overlaps).toMatchObject({
      count: 1,
      undeclaredFraction: 0,
      items: [
        {
          datasetId: original.id,
          sharedFiles: 3,
          sharedBytes: '6000',
          fraction: 1,
          registeredAt: original.createdAt,
          relation: 'declared',
        },
      ],
    });
    declaredCopy = body;
    // The detail says the same, and so does the overlaps route, both ways.
    expect((await t.http.get(`/datasets/${body.id}`).expect(200)).body.overlaps).toEqual(body.overlaps);
    const later = await t.http.get(`/datasets/${original.contentRoot}/overlaps?direction=later`).expect(200);
    expect(later.body).toMatchObject({ datasetId: original.id, direction: 'later', total: 1 });
    expect(later.body.items.map((i: { datasetId: string }) => i.datasetId)).toContain(body.id);
  });

  it('accepts a copy whose lineage reaches the original through a declared parent', async () => {
    const body = await accepted(carol, renamed(photos, 'grandchild'), {
      parents: [{ datasetId: declaredCopy.contentRoot, upstreamBps: 1000 }],
    });
    expect(body.overlaps.undeclaredFraction).toBe(0);
    const relations = Object.fromEntries(
      body.overlaps.items.map((i: { datasetId: string; relation: string }) => [i.datasetId, i.relation]),
    );
    expect(relations).toMatchObject({ [original.id]: 'declared', [declaredCopy.id]: 'declared' });
  });

  it('refuses a copy mixed with new files while at least half its bytes are the other owner’s, accepts it below', async () => {
    // 6,000 of Alice's bytes and 6,000 new ones: exactly one half, still refused ("at least").
    const half = { ...renamed(photos, 'mix'), 'own.bin': randomBytes(6000) };
    const refused = await register(dave, await signed(dave, half));
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body).toMatchObject({ error: 'UNDECLARED_OVERLAP', undeclaredFraction: 0.5 });

    // Alice's smallest file (1,000 bytes) among 9,000 of Dave's own: registered, the overlap reported.
    const below = await accepted(dave, { 'cat-3.jpg': photos['cat-3.jpg'], 'own-2.bin': randomBytes(9000) });
    expect(below.overlaps.undeclaredFraction).toBe(0.1);
    expect(below.overlaps.items).toContainEqual(
      expect.objectContaining({
        datasetId: original.id,
        sharedFiles: 1,
        sharedBytes: '1000',
        fraction: 0.1,
        relation: 'undeclared',
      }),
    );
  });

  it('still refuses a copy although one’s own earlier dataset holds some of the bytes (they belong to whoever registered them first)', async () => {
    // Dave's dataset above holds Alice's cat-3.jpg; that does not make its bytes Dave's.
    const res = await register(dave, await signed(dave, renamed(photos, 'dave')));
    expect(res.status, JSON.stringify(res.body)).toBe(409);
    expect(res.body.suggestedParents).toEqual([original.contentRoot]);
  });

  it('never refuses a new version of one’s own dataset for overlapping one’s earlier datasets', async () => {
    const body = await accepted(
      alice,
      { ...renamed(photos, 'v2'), 'cat-4.jpg': randomBytes(500) },
      {
        previousVersionId: original.id,
      },
    );
    const own = body.overlaps.items.find((i: { datasetId: string }) => i.datasetId === original.id);
    expect(own).toMatchObject({ relation: 'own', sharedFiles: 3, sharedBytes: '6000' });
    // Bob's declared copy holds the same bytes too, but they were Alice's first: nothing undeclared.
    expect(body.overlaps.undeclaredFraction).toBe(0);
    expect(body.overlaps.count).toBeGreaterThanOrEqual(2);
  });

  it('counts each of its files: the same bytes under two paths are two shared files and twice the bytes', async () => {
    const twice = { 'x.jpg': photos['cat-1.jpg'], 'y.jpg': photos['cat-1.jpg'], 'own.bin': randomBytes(9000) };
    const body = await accepted(carol, twice);
    expect(body.overlaps.undeclaredFraction).toBe(0.4);
    expect(body.overlaps.items).toContainEqual(
      expect.objectContaining({ datasetId: original.id, sharedFiles: 2, sharedBytes: '6000', fraction: 0.4 }),
    );
  });

  it('counts a dataset co-owned with someone else as another owner’s, even for one of its owners', async () => {
    const shared = { 'shared.bin': randomBytes(4000) };
    // Carol uploads the bytes too, so both co-owners hold them.
    await as.get(carol)!.put('/blobs').set('content-type', 'application/octet-stream').send(shared['shared.bin']);
    const joint = await accepted(alice, shared, {
      owners: [
        { account: alice.address, shareBps: 5000 },
        { account: carol.address, shareBps: 5000 },
      ],
    });
    const alone = await register(carol, await signed(carol, renamed(shared, 'carol-alone')));
    expect(alone.status, JSON.stringify(alone.body)).toBe(409);
    expect(alone.body.suggestedParents).toEqual([joint.contentRoot]);
  });

  it('lets exactly one of two racing copies of the same new bytes through; the other is refused naming the winner', async () => {
    const fresh = { 'a.bin': randomBytes(5000), 'b.bin': randomBytes(5000) };
    const [forBob, forCarol] = await Promise.all([
      signed(bob, renamed(fresh, 'bob')),
      signed(carol, renamed(fresh, 'carol')),
    ]);
    const results = await Promise.all([register(bob, forBob), register(carol, forCarol)]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses, JSON.stringify(results.map((r) => r.body))).toEqual([201, 409]);
    const winner = results.find((r) => r.status === 201)!.body;
    const loser = results.find((r) => r.status === 409)!.body;
    expect(loser).toMatchObject({ error: 'UNDECLARED_OVERLAP', suggestedParents: [winner.contentRoot] });
  });

  it('pages the overlaps route and refuses a bad id or direction naming the field', async () => {
    const page = await t.http.get(`/datasets/${declaredCopy.id}/overlaps?limit=1`).expect(200);
    expect(page.body).toMatchObject({
      datasetId: declaredCopy.id,
      direction: 'earlier',
      total: 1,
      limit: 1,
      offset: 0,
    });
    const bad = await t.http.get(`/datasets/${declaredCopy.id}/overlaps?direction=sideways`).expect(400);
    expect(bad.body.details).toEqual([expect.objectContaining({ field: 'direction' })]);
    const badId = await t.http.get(`/datasets/nope/overlaps`).expect(400);
    expect(badId.body.details).toEqual([expect.objectContaining({ field: 'id' })]);
    await t.http.get(`/datasets/${'0x' + 'ab'.repeat(32)}/overlaps`).expect(404);
  });
});

// Catalogue pages stay small whatever a dataset's owner list: an entry carries the first
// OWNERS_PER_ENTRY owners, how many there are and where the full list is; the detail and the
// paged owners route carry them all, in the order they were signed.
import { createHash } from 'node:crypto';
import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNERS_PER_ENTRY } from '@upstream/api-contract';
import { buildContentTree } from '@upstream/provenance';
import { signRegistration } from '../../apps/cli/src/contribution/registration';
import { startTestApp, type TestApp } from '../support/app';

describe('catalogue entries cap their owners, with a link to the full list', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({}, { validateResponses: true });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists 10 of 25 owners per entry, all of them in the detail and a page at a time at ownersUrl', async () => {
    const alice = new Wallet(t.chain.privateKey(3));
    const bytes = Buffer.from('owned by many');
    const tree = await buildContentTree([
      { path: 'many.txt', size: BigInt(bytes.length), sha256: createHash('sha256').update(bytes).digest('hex') },
    ]);
    // 25 owners of 400 bps each, alice 24th in signed order (beyond the cap).
    const others = Array.from({ length: 24 }, () => Wallet.createRandom().address.toLowerCase());
    const accounts = [...others.slice(0, 23), alice.address.toLowerCase(), others[23]];
    const owners = accounts.map((account) => ({ account, shareBps: 400 }));
    expect(owners.reduce((s, o) => s + o.shareBps, 0)).toBe(10_000);
    const domain = (await t.http.get('/chain').expect(200)).body.eip712Domain;
    const body = await signRegistration(alice, {
      entries: tree.entries,
      contentRoot: tree.root,
      title: 'Many owners',
      owners,
      externalUri: 'https://example.org/many',
      domain,
    });
    const asAlice = await t.as(3);
    const created = await asAlice.post('/datasets').send(body);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;

    const { body: page } = await t.http.get('/datasets').query({ q: 'Many owners' }).expect(200);
    const entry = page.items.find((d: { id: string }) => d.id === id);
    expect(entry.owners).toEqual(owners.slice(0, OWNERS_PER_ENTRY));
    expect(entry.ownerCount).toBe(25);
    expect(entry.ownersUrl).toBe(`/datasets/${id}/owners`);

    // The contributor's own list knows alice's share although she is beyond the cap.
    const { body: mine } = await t.http.get(`/contributors/${alice.address}/datasets`).expect(200);
    expect(mine.items.find((d: { id: string }) => d.id === id)).toMatchObject({ shareBps: 400, ownerCount: 25 });

    const { body: detail } = await t.http.get(`/datasets/${tree.root}`).expect(200);
    expect(detail.owners).toEqual(owners);
    expect(detail.ownerCount).toBe(25);

    const first = (await t.http.get(entry.ownersUrl).query({ limit: 20 }).expect(200)).body;
    const rest = (await t.http.get(entry.ownersUrl).query({ limit: 20, offset: 20 }).expect(200)).body;
    expect(first).toMatchObject({ datasetId: id, total: 25, limit: 20, offset: 0 });
    expect([...first.items, ...rest.items]).toEqual(owners);

    const missing = await t.http.get('/datasets/00000000-0000-4000-8000-000000000000/owners').expect(404);
    expect(missing.body.error).toBe('DATASET_NOT_FOUND');
    const badLimit = await t.http.get(entry.ownersUrl).query({ limit: 0 }).expect(400);
    expect(badLimit.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'limit' })]));
  });
});

import { Wallet } from 'ethers';
import type TestAgent from 'supertest/lib/agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upstreamDomain, type UpstreamDomain } from '@upstream/provenance';
import { licensingChangeTypedData } from '@upstream/provenance';
import { startTestApp, type TestApp } from '../support/app';
import {
  insertDataset,
  signLicense,
  signRunManifest,
  withClient,
  type FixtureDataset,
} from '../support/catalogue-fixtures';

describe('training runs and licenses: every refusal names the field and the reason', () => {
  let t: TestApp;
  let domain: UpstreamDomain;
  let lab: Wallet;
  let stranger: Wallet;
  let owner: Wallet;
  let licensed: FixtureDataset;
  let licensed2: FixtureDataset;
  let unlicensed: FixtureDataset;
  /** The lab's signed-in client: a run is recorded by its lab. */
  let asLab: TestAgent;
  /** Another signed-in account. */
  let asStranger: TestAgent;

  const entry = (d: FixtureDataset, weight = 100n) => ({ datasetId: d.contentRoot, weight });
  const asBody = (entries: { datasetId: string; weight: bigint }[]) =>
    entries.map((e) => ({ datasetId: e.datasetId, weight: e.weight.toString() }));
  /** A manifest over `entries`, signed by the lab, with the entries in the body. */
  const run = async (
    entries: { datasetId: string; weight: bigint }[],
    input: Record<string, unknown> = {},
    signer = lab,
  ) => {
    const signed = await signRunManifest(signer, domain, { entries, ...input });
    return { ...signed, body: { ...signed.body, lab: lab.address, entries: asBody(entries) } };
  };

  beforeAll(async () => {
    t = await startTestApp({}, { validateResponses: true });
    domain = upstreamDomain(31337, t.chain.deployment.contracts.ProvenanceRegistry);
    lab = new Wallet(t.chain.privateKey(3));
    stranger = new Wallet(t.chain.privateKey(4));
    owner = new Wallet(t.chain.privateKey(5));
    [asLab, asStranger] = await Promise.all([t.as(3), t.as(4)]);
    const url = t.database.url;
    [licensed, licensed2, unlicensed] = await Promise.all([
      insertDataset(url, { owners: [{ account: owner.address, shareBps: 10_000 }] }),
      insertDataset(url, { template: 'research-only' }),
      insertDataset(url),
    ]);
    for (const d of [licensed, licensed2]) {
      const res = await t.http
        .post('/licenses')
        .send(await signLicense(lab, domain, { datasetId: d.contentRoot, termsHash: d.termsHash }));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.license.status).toBe('active');
    }
  });
  afterAll(() => t?.close());

  it('records a well-formed run over licensed datasets (the baseline the refusals differ from)', async () => {
    const { body, runId } = await run([entry(licensed, 5n), entry(licensed2, 7n)]);
    const res = await asLab.post('/runs').send(body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      status: 'committed',
      runId,
      received: 2,
      run: { runId, entryCount: 2, totalWeight: '12' },
    });
  });

  it('refuses datasets the lab holds no active license for, naming every one', async () => {
    const { body } = await run([entry(licensed), entry(unlicensed), entry(licensed2)]);
    const res = await asLab.post('/runs').send(body).expect(403);
    expect(res.body.error).toBe('UNLICENSED_DATASETS');
    expect(res.body.count).toBe(1);
    expect(res.body.details).toEqual([
      { field: 'entries[1].datasetId', reason: `no active license for dataset ${unlicensed.contentRoot}` },
    ]);
    const [{ n }] = await withClient(t.database.url, (c) =>
      c.query(`SELECT count(*)::int AS n FROM run_uploads`).then((r) => r.rows),
    );
    expect(n).toBe(0); // nothing of a refused manifest stays
  });

  it('refuses datasets that do not exist', async () => {
    const ghost = '0x' + 'ee'.repeat(32);
    const { body } = await run([entry(licensed), { datasetId: ghost, weight: 3n }]);
    const res = await asLab.post('/runs').send(body).expect(400);
    expect(res.body.error).toBe('UNKNOWN_DATASETS');
    expect(res.body.details).toEqual([
      { field: 'entries[1].datasetId', reason: `no dataset with content root ${ghost}` },
    ]);
  });

  it('refuses a signature by someone other than the lab, and a manifest changed after signing', async () => {
    const forged = await run([entry(licensed)], {}, stranger);
    const res = await asLab.post('/runs').send(forged.body).expect(400);
    expect(res.body.error).toBe('INVALID_SIGNATURE');
    expect(res.body.details[0]).toEqual({
      field: 'signature',
      reason: `recovers to ${stranger.address}, not ${lab.address}`,
    });

    const tampered = await run([entry(licensed)]);
    const res2 = await asLab
      .post('/runs')
      .send({ ...tampered.body, modelName: 'another-model' })
      .expect(400);
    expect(res2.body.error).toBe('INVALID_SIGNATURE');
  });

  it('refuses a replayed nonce and a manifest recorded twice', async () => {
    const first = await run([entry(licensed)], { nonce: 777n });
    await asLab.post('/runs').send(first.body).expect(201);
    const again = await asLab.post('/runs').send(first.body).expect(409);
    expect(again.body).toMatchObject({ error: 'RUN_EXISTS', runId: first.runId });
    const replay = await run([entry(licensed2)], { nonce: 777n });
    const res = await asLab.post('/runs').send(replay.body).expect(409);
    expect(res.body.error).toBe('NONCE_REUSED');
    expect(res.body.details[0].field).toBe('nonce');
  });

  it('refuses zero and negative weights', async () => {
    const { body } = await run([entry(licensed)]);
    for (const weight of ['0', '-5', -5, '1.5', '']) {
      const res = await asLab
        .post('/runs')
        .send({ ...body, entries: [{ datasetId: licensed.contentRoot, weight }] })
        .expect(400);
      expect(res.body.error).toBe('VALIDATION_FAILED');
      expect(res.body.details[0].field).toBe('entries[0].weight');
    }
  });

  it('refuses a dataset listed twice, within a request and across chunks', async () => {
    const { body } = await run([entry(licensed), entry(licensed2)]);
    const res = await asLab
      .post('/runs')
      .send({ ...body, entries: asBody([entry(licensed), entry(licensed, 2n)]) })
      .expect(400);
    expect(res.body.details[0]).toEqual({
      field: 'entries[1].datasetId',
      reason: 'duplicates entries[0].datasetId: a dataset is listed once per run',
    });

    const chunked = await run([entry(licensed), entry(licensed2)]);
    const open = await asLab.post('/runs').send({ ...chunked.body, entries: asBody([entry(licensed)]) });
    expect(open.status, JSON.stringify(open.body)).toBe(201);
    expect(open.body).toMatchObject({ status: 'open', received: 1, entryCount: 2 });
    await asLab
      .post(`/runs/${open.body.id}/entries`)
      .send({ offset: 1, entries: asBody([entry(licensed, 9n)]) })
      .expect(200);
    const commit = await asLab.post(`/runs/${open.body.id}/commit`).expect(400);
    expect(commit.body.details[0].field).toBe('entries[1].datasetId');
    expect(commit.body.details[0].reason).toContain('listed twice');
  });

  it('refuses entries that do not hash to the signed root', async () => {
    const { body, entriesRoot } = await run([entry(licensed, 10n)]);
    const res = await asLab
      .post('/runs')
      .send({ ...body, entries: asBody([entry(licensed, 11n)]) })
      .expect(400);
    expect(res.body.error).toBe('ENTRIES_ROOT_MISMATCH');
    expect(res.body.details[0].field).toBe('entriesRoot');
    expect(res.body.details[0].reason).toContain(entriesRoot);
  });

  it('refuses an expired deadline', async () => {
    const { body } = await run([entry(licensed)], { deadline: Math.floor(Date.now() / 1000) - 60 });
    const res = await asLab.post('/runs').send(body).expect(400);
    expect(res.body.error).toBe('DEADLINE_EXPIRED');
    expect(res.body.details).toEqual([{ field: 'deadline', reason: 'must be in the future' }]);
  });

  it('refuses malformed hex, naming the field', async () => {
    const { body } = await run([entry(licensed)]);
    const cases: [Record<string, unknown>, string][] = [
      [{ modelHash: '0x1234' }, 'modelHash'],
      [{ entriesRoot: 'zz' }, 'entriesRoot'],
      [{ lab: '0xnotanaddress' }, 'lab'],
      [{ signature: '0xdead' }, 'signature'],
      [{ entries: [{ datasetId: 'abc', weight: '1' }] }, 'entries[0].datasetId'],
      [{ weightUnit: 'parsecs' }, 'weightUnit'],
    ];
    for (const [patch, field] of cases) {
      const res = await asLab
        .post('/runs')
        .send({ ...body, ...patch })
        .expect(400);
      expect(res.body.error).toBe('VALIDATION_FAILED');
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }
  });

  it('keeps a chunked run invisible until commit, and refuses out-of-order or early commits', async () => {
    const { body, runId } = await run([entry(licensed, 1n), entry(licensed2, 2n)]);
    const open = await asLab
      .post('/runs')
      .send({ ...body, entries: undefined })
      .expect(201);
    expect(open.body).toMatchObject({ status: 'open', received: 0, runId });
    await t.http.get(`/runs/${open.body.id}`).expect(404);
    await t.http.get(`/runs/${runId}`).expect(404);
    const early = await asLab.post(`/runs/${open.body.id}/commit`).expect(409);
    expect(early.body).toMatchObject({ error: 'RUN_INCOMPLETE', received: 0, entryCount: 2 });
    const skip = await asLab
      .post(`/runs/${open.body.id}/entries`)
      .send({ offset: 1, entries: asBody([entry(licensed2, 2n)]) })
      .expect(409);
    expect(skip.body).toMatchObject({
      error: 'RUN_CHUNK_OFFSET',
      expectedOffset: 0,
      details: [{ field: 'offset', reason: 'must be 0 (entries received so far)' }],
    });
    const tooMany = await asLab
      .post(`/runs/${open.body.id}/entries`)
      .send({ offset: 0, entries: asBody([entry(licensed, 1n), entry(licensed2, 2n), entry(unlicensed)]) })
      .expect(400);
    expect(tooMany.body.details[0].field).toBe('entries');
    await asLab
      .post(`/runs/${open.body.id}/entries`)
      .send({ offset: 0, entries: asBody([entry(licensed, 1n), entry(licensed2, 2n)]) })
      .expect(200);
    const done = await asLab.post(`/runs/${open.body.id}/commit`).expect(200);
    expect(done.body).toMatchObject({ status: 'committed', run: { id: open.body.id, runId } });
    await t.http.get(`/runs/${runId}`).expect(200);
  });

  it('records a run only for its lab: anyone else is refused, and cannot touch the lab’s open upload', async () => {
    const { body, runId } = await run([entry(licensed, 4n), entry(licensed2, 6n)]);
    const anonymous = await t.http.post('/runs').send(body).expect(401);
    expect(anonymous.body).toMatchObject({ error: 'UNAUTHENTICATED', details: [{ field: 'authorization' }] });
    // The lab's own valid manifest, sent by another account: not its run to record.
    const notLab = await asStranger.post('/runs').send(body).expect(403);
    expect(notLab.body).toMatchObject({ error: 'NOT_OWNER', details: [{ field: 'lab' }] });

    // The lab sends half of it.
    const open = await asLab
      .post('/runs')
      .send({ ...body, entries: asBody([entry(licensed, 4n)]) })
      .expect(201);
    expect(open.body).toMatchObject({ status: 'open', received: 1, entryCount: 2 });
    // A stranger who learns the upload id finds no such upload: a bad chunk and a commit both answer 404.
    const chunk = await asStranger
      .post(`/runs/${open.body.id}/entries`)
      .send({ offset: 1, entries: asBody([entry(unlicensed, 1n)]) })
      .expect(404);
    expect(chunk.body).toMatchObject({ error: 'RUN_NOT_FOUND', details: [{ field: 'id' }] });
    const commit = await asStranger.post(`/runs/${open.body.id}/commit`).expect(404);
    expect(commit.body).toMatchObject({ error: 'RUN_NOT_FOUND', details: [{ field: 'id' }] });
    await t.http.post(`/runs/${open.body.id}/commit`).expect(401);

    // The lab's half-sent manifest is untouched: it goes on from offset 1 and commits.
    await asLab
      .post(`/runs/${open.body.id}/entries`)
      .send({ offset: 1, entries: asBody([entry(licensed2, 6n)]) })
      .expect(200);
    const done = await asLab.post(`/runs/${open.body.id}/commit`).expect(200);
    expect(done.body).toMatchObject({ status: 'committed', runId, run: { entryCount: 2, totalWeight: '10' } });
  });

  it('answers 404 for unknown runs and uploads', async () => {
    const missing = await t.http.get('/runs/00000000-0000-4000-8000-000000000000').expect(404);
    expect(missing.body).toMatchObject({ error: 'RUN_NOT_FOUND', details: [{ field: 'id' }] });
    await t.http.get(`/runs/0x${'ab'.repeat(32)}`).expect(404);
    await t.http.get('/runs/not-a-run').expect(404);
    await t.http.get(`/runs/0x${'ab'.repeat(32)}/provenance`).expect(404);
    await asLab.post('/runs/00000000-0000-4000-8000-000000000000/commit').expect(404);
    await asLab
      .post('/runs/00000000-0000-4000-8000-000000000000/entries')
      .send({ offset: 0, entries: [{ datasetId: licensed.contentRoot, weight: '1' }] })
      .expect(404);
  });

  describe('licenses', () => {
    it('refuses terms that are not the dataset’s current terms, and a forged acceptance', async () => {
      const stale = await t.http
        .post('/licenses')
        .send(await signLicense(lab, domain, { datasetId: unlicensed.contentRoot, termsHash: '0x' + '00'.repeat(32) }))
        .expect(400);
      expect(stale.body).toMatchObject({
        error: 'LICENSE_TERMS_MISMATCH',
        termsHash: unlicensed.termsHash,
        details: [{ field: 'termsHash' }],
      });
      const forged = {
        ...(await signLicense(stranger, domain, {
          datasetId: unlicensed.contentRoot,
          termsHash: unlicensed.termsHash,
        })),
        licensee: lab.address,
      };
      const res = await t.http.post('/licenses').send(forged).expect(400);
      expect(res.body).toMatchObject({ error: 'INVALID_SIGNATURE', details: [{ field: 'signature' }] });
    });

    it('refuses an unknown dataset, a second license and a replayed nonce', async () => {
      const ghost = await t.http
        .post('/licenses')
        .send(await signLicense(lab, domain, { datasetId: '0x' + 'ee'.repeat(32), termsHash: licensed.termsHash }))
        .expect(404);
      expect(ghost.body).toMatchObject({ error: 'DATASET_NOT_FOUND', details: [{ field: 'datasetId' }] });
      const twice = await t.http
        .post('/licenses')
        .send(await signLicense(lab, domain, { datasetId: licensed.contentRoot, termsHash: licensed.termsHash }))
        .expect(409);
      expect(twice.body).toMatchObject({ error: 'LICENSE_EXISTS', status: 'active' });
      const other = await insertDataset(t.database.url);
      const used = await signLicense(stranger, domain, {
        datasetId: unlicensed.contentRoot,
        termsHash: unlicensed.termsHash,
        nonce: 99n,
      });
      await t.http.post('/licenses').send(used).expect(201);
      const replay = await t.http
        .post('/licenses')
        .send(
          await signLicense(stranger, domain, { datasetId: other.contentRoot, termsHash: other.termsHash, nonce: 99n }),
        )
        .expect(409);
      expect(replay.body).toMatchObject({ error: 'NONCE_REUSED', details: [{ field: 'nonce' }] });
    });

    it('lets an owner close licensing (not anyone else); existing licenses keep working', async () => {
      const change = async (signer: Wallet, open: boolean, nonce: bigint) => {
        const message = {
          datasetId: licensed.contentRoot,
          open,
          nonce,
          deadline: BigInt(Math.floor(Date.now() / 1000) + 600),
        };
        const td = licensingChangeTypedData(domain, message);
        const signature = await signer.signTypedData(td.domain, td.types, td.message);
        return { open, signer: signer.address, nonce: nonce.toString(), deadline: Number(message.deadline), signature };
      };
      const notOwner = await t.http
        .post(`/datasets/${licensed.contentRoot}/licensing`)
        .send(await change(stranger, false, 1n))
        .expect(403);
      expect(notOwner.body).toMatchObject({ error: 'SIGNER_NOT_OWNER', details: [{ field: 'signer' }] });
      const closed = await t.http.post(`/datasets/${licensed.id}/licensing`).send(await change(owner, false, 2n));
      expect(closed.status, JSON.stringify(closed.body)).toBe(200);
      expect(closed.body).toMatchObject({ datasetId: licensed.contentRoot, licensingOpen: false });
      const refused = await t.http
        .post('/licenses')
        .send(await signLicense(stranger, domain, { datasetId: licensed.contentRoot, termsHash: licensed.termsHash }))
        .expect(403);
      expect(refused.body).toMatchObject({ error: 'LICENSING_CLOSED', details: [{ field: 'datasetId' }] });
      const { body } = await run([entry(licensed, 3n)]);
      await asLab.post('/runs').send(body).expect(201); // the lab's existing license still counts
    });

    it('honours expiry: an expired license no longer covers a run and is listed as expired', async () => {
      await withClient(t.database.url, (c) =>
        c.query(
          `UPDATE licenses SET expires_at = now() - interval '1 minute' WHERE dataset_id = $1 AND licensee = $2`,
          [licensed2.id, lab.address.toLowerCase()],
        ),
      );
      const { body } = await run([entry(licensed2, 4n)]);
      const res = await asLab.post('/runs').send(body).expect(403);
      expect(res.body.details[0].field).toBe('entries[0].datasetId');
      const list = await t.http.get(`/labs/${lab.address}/licenses`).expect(200);
      const statuses = Object.fromEntries(
        list.body.items.map((l: { datasetId: string; status: string }) => [l.datasetId, l.status]),
      );
      expect(statuses[licensed2.contentRoot]).toBe('expired');
      expect(statuses[licensed.contentRoot]).toBe('active');
      const byDataset = await t.http.get(`/datasets/${licensed2.contentRoot}/licenses`).expect(200);
      expect(byDataset.body).toMatchObject({ total: 1, limit: 100, offset: 0 });
      expect(byDataset.body.items).toHaveLength(1);
    });

    it('refuses malformed list parameters', async () => {
      const bad = await t.http.get('/labs/0x123/licenses').expect(400);
      expect(bad.body.details[0].field).toBe('address');
      const limit = await t.http.get(`/labs/${lab.address}/licenses?limit=0`).expect(400);
      expect(limit.body.details[0].field).toBe('limit');
      await t.http.get('/datasets/00000000-0000-4000-8000-000000000000/licenses').expect(404);
    });
  });
});

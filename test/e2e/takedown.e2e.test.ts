import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Contract, Wallet } from 'ethers';
import type TestAgent from 'supertest/lib/agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  licensingChangeTypedData,
  takedownTypedData,
  verifyBatchAnchorProof,
  type UpstreamDomain,
} from '@upstream/provenance';
import { artifacts } from '@upstream/chain';
import { AnchoringService } from '../../apps/api/src/anchoring/anchoring.service';
import { startTestApp, type TestApp } from '../support/app';
import { signLicense, signRunManifest } from '../support/catalogue-fixtures';
import { CLI_BUILT, runCli } from '../support/cli';
import { registerFiles } from '../support/registration';
import { withClient } from '../support/pg-client';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('takedown: an owner withdraws a dataset version; runs that used it keep their record', () => {
  let t: TestApp;
  let dataDir: string;
  let domain: UpstreamDomain;
  let alice: Wallet;
  let lab: Wallet;
  let carol: Wallet;
  let dave: Wallet;
  let asLab: TestAgent;
  const onlyAlices = randomBytes(4000);
  const shared = randomBytes(3000);
  let dataset: { id: string; contentRoot: string };
  let derived: { id: string; contentRoot: string };
  let run: { id: string };
  let signedUrl: string;
  /** Uploads the files as `who` and registers them; answers the dataset. */
  let register: (
    who: Wallet,
    files: Record<string, Buffer>,
    extra?: object,
  ) => Promise<{ id: string; contentRoot: string }>;

  beforeAll(async () => {
    if (!CLI_BUILT) throw new Error('the CLI is not built: run `npm run build` (npm test does)');
    dataDir = await mkdtemp(join(tmpdir(), 'upstream-takedown-'));
    t = await startTestApp({ DATA_DIR: dataDir }, { validateResponses: true });
    domain = (await t.http.get('/chain').expect(200)).body.eip712Domain;
    [alice, lab, carol, dave] = [3, 4, 5, 6].map((i) => new Wallet(t.chain.privateKey(i)));
    asLab = await t.as(lab);

    register = (who: Wallet, files: Record<string, Buffer>, extra: object = {}) =>
      registerFiles(t, domain, who, files, extra);

    // Alice's licensed dataset; the lab licenses it, downloads a file, gets a signed URL and trains on it.
    dataset = await register(
      alice,
      { 'a.bin': onlyAlices, 'shared.bin': shared },
      { license: { template: 'research-only' } },
    );
    // Carol's public dataset derives from Alice's and holds one of its files.
    derived = await register(
      carol,
      { 'shared-copy.bin': shared, 'carol.bin': randomBytes(5000) },
      { parents: [{ datasetId: dataset.contentRoot, upstreamBps: 1000 }] },
    );
    const detail = (await t.http.get(`/datasets/${dataset.id}`).expect(200)).body;
    await t.http
      .post('/licenses')
      .send(await signLicense(lab, domain, { datasetId: dataset.contentRoot, termsHash: detail.license.termsHash }))
      .expect(201);
    await asLab.get(`/datasets/${dataset.id}/files/content?path=a.bin`).expect(200);
    signedUrl = (await asLab.post(`/datasets/${dataset.id}/files/url`).send({ path: 'a.bin' }).expect(201)).body.url;
    const manifest = await signRunManifest(lab, domain, { entries: [{ datasetId: dataset.contentRoot, weight: 7n }] });
    run = (
      await asLab
        .post('/runs')
        .send({ ...manifest.body, entries: [{ datasetId: dataset.contentRoot, weight: '7' }] })
        .expect(201)
    ).body.run;
  });
  afterAll(async () => {
    await t?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function signedTakedown(signer: Wallet, overrides: Partial<{ reason: string; deleteBytes: boolean }> = {}) {
    const message = {
      datasetId: dataset.contentRoot,
      reason: 'consent withdrawn',
      deleteBytes: false,
      nonce: BigInt('0x' + randomBytes(8).toString('hex')),
      deadline: BigInt(Math.floor(Date.now() / 1000) + 600),
      ...overrides,
    };
    const td = takedownTypedData(domain, message);
    return {
      reason: message.reason,
      deleteBytes: message.deleteBytes,
      signer: signer.address,
      nonce: message.nonce.toString(),
      deadline: Number(message.deadline),
      signature: await signer.signTypedData(td.domain, td.types, td.message),
    };
  }

  it('refuses a takedown signed by someone who does not own the dataset, or whose signature is not the signer’s', async () => {
    const byDave = await t.http.post(`/datasets/${dataset.id}/takedown`).send(await signedTakedown(dave));
    expect(byDave.status).toBe(403);
    expect(byDave.body).toMatchObject({ error: 'SIGNER_NOT_OWNER', details: [{ field: 'signer' }] });
    const forged = { ...(await signedTakedown(dave)), signer: alice.address };
    const bad = await t.http.post(`/datasets/${dataset.id}/takedown`).send(forged);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'INVALID_SIGNATURE', details: [{ field: 'signature' }] });
    expect((await t.http.get(`/datasets/${dataset.id}`).expect(200)).body.takedown).toBeNull();
  });

  it('takes the dataset down with `upstream takedown --delete-bytes`; the record says why, when and which bytes went', async () => {
    const out = await runCli(
      ['--api', t.baseUrl, '--json', 'takedown', dataset.id, '--reason', 'consent withdrawn', '--delete-bytes'],
      { UPSTREAM_PRIVATE_KEY: alice.privateKey },
    );
    expect(out.code, out.stderr).toBe(0);
    const takedown = JSON.parse(out.stdout);
    expect(takedown).toMatchObject({
      datasetId: dataset.id,
      contentRoot: dataset.contentRoot,
      reason: 'consent withdrawn',
      signer: alice.address.toLowerCase(),
      deleteBytes: true,
      bytesDeletedAt: expect.any(String),
      // shared.bin is also in Carol's live dataset: its bytes stay, served only under hers.
      blobsDeleted: 1,
      blobsKept: 1,
    });
    const detail = (await t.http.get(`/datasets/${dataset.id}`).expect(200)).body;
    expect(detail.takedown).toEqual(takedown);
    expect(detail.takenDownAt).toBe(takedown.takenDownAt);
    // The catalogue marks it too; Carol's derived dataset stays live.
    const listed = (await t.http.get('/datasets').expect(200)).body.items as {
      id: string;
      takenDownAt: string | null;
    }[];
    expect(listed.find((d) => d.id === dataset.id)?.takenDownAt).toBe(takedown.takenDownAt);
    expect(listed.find((d) => d.id === derived.id)?.takenDownAt).toBeNull();

    // The deleted blob's row is gone; its file goes with the worker's next pass.
    const blobFile = join(
      dataDir,
      'blobs',
      sha256(onlyAlices).slice(0, 2),
      sha256(onlyAlices).slice(2, 4),
      sha256(onlyAlices),
    );
    const rows = await withClient(t.database.url, (c) =>
      c
        .query(`SELECT sha256 FROM blobs WHERE sha256 = ANY($1)`, [[sha256(onlyAlices), sha256(shared)]])
        .then((r) => r.rows),
    );
    expect(rows).toEqual([{ sha256: sha256(shared) }]);
    await t.tick();
    expect(existsSync(blobFile)).toBe(false);
  });

  it('anchors the signed takedown like a registration: its digest in a batch of kind 2, the transaction on the dataset', async () => {
    const before = (await t.http.get(`/datasets/${dataset.id}`).expect(200)).body.takedown;
    expect(before.anchorStatus).toMatchObject({
      state: 'pending',
      leaf: before.digest,
      registry: t.chain.deployment.contracts.ProvenanceRegistry.toLowerCase(),
    });
    await t.app.get(AnchoringService).batchPending(true);
    let anchorStatus = before.anchorStatus;
    // The worker sends the batch's transaction, then indexes its Anchored event.
    for (let i = 0; i < 5 && anchorStatus.state !== 'anchored'; i++) {
      await t.tick();
      anchorStatus = (await t.http.get(`/datasets/${dataset.id}`).expect(200)).body.takedown.anchorStatus;
    }
    expect(anchorStatus).toMatchObject({
      state: 'anchored',
      leaf: before.digest,
      transaction: { hash: anchorStatus.anchor.txHash },
    });
    expect(await verifyBatchAnchorProof(anchorStatus.batch.root, before.digest, anchorStatus.batch.proof)).toBe(true);
    const registry = new Contract(
      t.chain.deployment.contracts.ProvenanceRegistry,
      artifacts.ProvenanceRegistry.abi,
      t.chain.provider,
    );
    const onChain = await registry.anchorOf(anchorStatus.batch.root);
    expect(onChain.kind).toBe(2n); // KIND_TAKEDOWNS
    expect(onChain.count).toBe(BigInt(anchorStatus.batch.itemCount));
  });

  it('delivers nothing of it any more, to anyone, naming the takedown: 410 DATASET_WITHDRAWN', async () => {
    for (const res of [
      await asLab.get(`/datasets/${dataset.id}/files/content?path=a.bin`),
      await asLab.get(`/blobs/${sha256(onlyAlices)}`),
      await t.http.get(signedUrl),
      await (await t.as(alice)).get(`/datasets/${dataset.id}/files/content?path=shared.bin`),
    ]) {
      expect(res.status, JSON.stringify(res.body)).toBe(410);
      expect(res.body).toMatchObject({
        error: 'DATASET_WITHDRAWN',
        datasetId: dataset.id,
        takedownReason: 'consent withdrawn',
        bytesDeletedAt: expect.any(String),
        details: [{ field: 'dataset', reason: expect.stringContaining('consent withdrawn') }],
      });
    }
    // The shared bytes are still served under Carol's live dataset.
    const copy = await t.http
      .get(`/datasets/${derived.id}/files/content?path=shared-copy.bin`)
      .buffer(true)
      .expect(200);
    expect(Buffer.compare(copy.body as Buffer, shared)).toBe(0);
  });

  it('grants no new license, and licensing cannot be reopened', async () => {
    const detail = (await t.http.get(`/datasets/${dataset.id}`).expect(200)).body;
    const res = await t.http
      .post('/licenses')
      .send(await signLicense(dave, domain, { datasetId: dataset.contentRoot, termsHash: detail.license.termsHash }));
    expect(res.status).toBe(410);
    expect(res.body).toMatchObject({ error: 'DATASET_WITHDRAWN', details: [{ field: 'datasetId' }] });

    const change = {
      datasetId: dataset.contentRoot,
      open: true,
      nonce: 99n,
      deadline: BigInt(Math.floor(Date.now() / 1000) + 600),
    };
    const td = licensingChangeTypedData(domain, change);
    const reopen = await t.http.post(`/datasets/${dataset.id}/licensing`).send({
      open: true,
      signer: alice.address,
      nonce: '99',
      deadline: Number(change.deadline),
      signature: await alice.signTypedData(td.domain, td.types, td.message),
    });
    expect(reopen.status).toBe(410);
    expect(reopen.body).toMatchObject({ error: 'DATASET_WITHDRAWN', details: [{ field: 'open' }] });
  });

  it('keeps the runs that used it, with their entries', async () => {
    const got = (await t.http.get(`/runs/${run.id}`).expect(200)).body;
    expect(got).toMatchObject({ id: run.id, entryCount: 1, totalWeight: '7' });
    const entries = (await t.http.get(`/runs/${run.id}/entries`).expect(200)).body;
    expect(JSON.stringify(entries)).toContain(dataset.contentRoot);
    const runs = (await t.http.get(`/datasets/${dataset.id}/runs`).expect(200)).body;
    expect(runs.items).toEqual([expect.objectContaining({ id: run.id, weight: '7' })]);
  });

  it('orders a license racing a takedown: a request arriving while the takedown commits waits, then is refused', async () => {
    const other = await register(alice, { 'b.bin': randomBytes(2000) }, { license: { template: 'research-only' } });
    const detail = (await t.http.get(`/datasets/${other.id}`).expect(200)).body;
    const body = await signLicense(dave, domain, { datasetId: other.contentRoot, termsHash: detail.license.termsHash });
    await withClient(t.database.url, async (c) => {
      // The takedown's transaction as TakedownService runs it: the dataset row held, the record written.
      await c.query('BEGIN');
      await c.query(`SELECT 1 FROM datasets WHERE id = $1 FOR NO KEY UPDATE`, [other.id]);
      const digest = '0x' + randomBytes(32).toString('hex');
      const { rows } = await c.query(`INSERT INTO anchor_items (kind, leaf) VALUES (2, $1) RETURNING id`, [digest]);
      await c.query(
        `INSERT INTO dataset_takedowns
           (dataset_id, signer, reason, delete_bytes, nonce, deadline, signature, digest, anchor_item_id)
         VALUES ($1, $2, 'racing', false, 1, now() + interval '1 hour', '0x', $3, $4)`,
        [other.id, alice.address.toLowerCase(), digest, rows[0].id],
      );
      let settled = false;
      const license = t.http
        .post('/licenses')
        .send(body)
        .then((res) => {
          settled = true;
          return res;
        });
      await new Promise((r) => setTimeout(r, 500));
      expect(settled).toBe(false);
      await c.query('COMMIT');
      const res = await license;
      expect(res.status, JSON.stringify(res.body)).toBe(410);
      expect(res.body).toMatchObject({ error: 'DATASET_WITHDRAWN', takedownReason: 'racing' });
    });
    const granted = await withClient(t.database.url, (c) =>
      c.query(`SELECT count(*)::int AS n FROM licenses WHERE dataset_id = $1`, [other.id]).then((r) => r.rows[0].n),
    );
    expect(granted).toBe(0);
  });

  it('refuses a second takedown with 409 ALREADY_TAKEN_DOWN', async () => {
    const again = await t.http.post(`/datasets/${dataset.id}/takedown`).send(await signedTakedown(alice));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: 'ALREADY_TAKEN_DOWN', details: [{ field: 'id' }] });
  });
});

import { randomUUID } from 'node:crypto';
import { Contract, Wallet, verifyTypedData } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts } from '@upstream/chain';
import {
  buildContentTree,
  TRAINING_RUN_TYPES,
  verifyBatchAnchorProof,
  verifyRunEntryProof,
  type UpstreamDomain,
} from '@upstream/provenance';
import { signRegistration } from '../../apps/cli/src/contribution/registration';
import { startTestApp, type TestApp } from '../support/app';
import { signLicense, signRunManifest, withClient } from '../support/catalogue-fixtures';

/** A lab licenses a dataset with a fee, pays it, records a run, pays the run, and anyone audits it. */
describe('lab journey: license with a fee → pay → record a run → pay it → audit its provenance', () => {
  let t: TestApp;
  let domain: UpstreamDomain;
  let alice: Wallet, bob: Wallet, carol: Wallet, lab: Wallet;
  let token: string;
  let paidDataset: { id: string; contentRoot: string };
  let freeDataset: { id: string; contentRoot: string };
  let paidLicense: { id: string; paymentRef: string };
  let run: { id: string; runId: string };
  const modelHash = '0x' + '4d'.repeat(32);
  const FEE = 1_000n * 10n ** 6n; // the test token has 6 decimals
  const ROYALTY = 5_000n * 10n ** 6n;

  /** The lab sends a call the API described (approve or payRun) from its own wallet. */
  const send = async (call: { to: string; data: string }) => (await t.chain.wallet(6).sendTransaction(call)).wait();

  async function register(
    owner: Wallet,
    title: string,
    license: Parameters<typeof signRegistration>[1]['license'],
    owners?: { account: string; shareBps: number }[],
  ) {
    const tree = await buildContentTree([
      {
        path: `${title}.jsonl`,
        size: 1234n,
        sha256: Buffer.from(title.padEnd(32, '.')).toString('hex').slice(0, 64).padEnd(64, '0'),
      },
    ]);
    const body = await signRegistration(owner, {
      entries: [...tree.entries],
      contentRoot: tree.root,
      title,
      domain,
      license,
      owners,
      externalUri: `s3://datasets/${title}/`,
    });
    const res = await (await t.as(owner)).post('/datasets').send(body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return { id: res.body.id as string, contentRoot: tree.root };
  }

  beforeAll(async () => {
    t = await startTestApp({ ANCHOR_INTERVAL_MS: '0' }, { validateResponses: true });
    domain = (await t.http.get('/chain').expect(200)).body.eip712Domain;
    [alice, bob, carol, lab] = [3, 4, 5, 6].map((i) => new Wallet(t.chain.privateKey(i)));
    token = t.chain.deployment.contracts.PaymentToken!;
    paidDataset = await register(
      alice,
      'paid-corpus',
      { template: 'paid-per-run', fee: { token, amount: FEE.toString() } },
      [
        { account: alice.address, shareBps: 7_000 },
        { account: bob.address, shareBps: 3_000 },
      ],
    );
    freeDataset = await register(carol, 'open-corpus', { template: 'open-training' });
  });
  afterAll(() => t?.close());

  it('a license on terms with a fee waits for its payment, and says what to pay', async () => {
    const dataset = (await t.http.get(`/datasets/${paidDataset.id}`).expect(200)).body;
    const res = await t.http
      .post('/licenses')
      .send(
        await signLicense(lab, domain, { datasetId: paidDataset.contentRoot, termsHash: dataset.license.termsHash }),
      );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.license).toMatchObject({
      status: 'pending_payment',
      fee: { token: token.toLowerCase(), amount: FEE.toString() },
      licensee: lab.address.toLowerCase(),
    });
    expect(res.body.payment).toMatchObject({
      runId: res.body.license.paymentRef,
      splitter: t.chain.deployment.contracts.RoyaltySplitter,
      amount: FEE.toString(),
    });
    paidLicense = res.body.license;

    // Until paid, it does not cover a run.
    const early = await signRunManifest(lab, domain, { entries: [{ datasetId: paidDataset.contentRoot, weight: 1n }] });
    const refused = await (
      await t.as(lab)
    )
      .post('/runs')
      .send({ ...early.body, entries: [{ datasetId: paidDataset.contentRoot, weight: '1' }] })
      .expect(403);
    expect(refused.body.error).toBe('UNLICENSED_DATASETS');

    await send(res.body.payment.approve);
    await send(res.body.payment.call);
    await t.tick();
    const active = (await t.http.get(`/licenses/${paidLicense.id}`).expect(200)).body;
    expect(active.license.status).toBe('active');
    expect(active.license.activationTx).toMatch(/^0x[0-9a-f]{64}$/);
    expect(active.payment).toBeUndefined();
  });

  it('a free license is active at once', async () => {
    const dataset = (await t.http.get(`/datasets/${freeDataset.id}`).expect(200)).body;
    const res = await t.http
      .post('/licenses')
      .send(
        await signLicense(lab, domain, { datasetId: freeDataset.contentRoot, termsHash: dataset.license.termsHash }),
      )
      .expect(201);
    expect(res.body.license.status).toBe('active');
    const mineList = (await t.http.get(`/labs/${lab.address}/licenses`).expect(200)).body;
    expect(mineList).toMatchObject({ total: 2, limit: 100, offset: 0 });
    const mine = mineList.items;
    expect(mine.map((l: { datasetId: string }) => l.datasetId).sort()).toEqual(
      [paidDataset.contentRoot, freeDataset.contentRoot].sort(),
    );
  });

  it('records the signed run manifest and tells the lab what to pay', async () => {
    const entries = [
      { datasetId: paidDataset.contentRoot, weight: 3_000n },
      { datasetId: freeDataset.contentRoot, weight: 1_000n },
    ];
    const signed = await signRunManifest(lab, domain, {
      entries,
      modelName: 'upstream-lm-1b',
      modelHash,
      weightUnit: 'samples',
    });
    const res = await (
      await t.as(lab)
    )
      .post('/runs')
      .send({ ...signed.body, entries: entries.map((e) => ({ datasetId: e.datasetId, weight: e.weight.toString() })) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      status: 'committed',
      runId: signed.runId,
      run: { entryCount: 2, totalWeight: '4000', weightUnit: 'samples', lab: lab.address.toLowerCase() },
    });
    run = res.body.run;

    const payment = (await t.http.get(`/runs/${run.id}/payment?amount=${ROYALTY}`).expect(200)).body;
    expect(payment).toMatchObject({
      runId: run.runId,
      token,
      amount: ROYALTY.toString(),
      call: { to: t.chain.deployment.contracts.RoyaltySplitter },
    });
    await send(payment.approve);
    await send(payment.call);
    await t.tick(); // indexes RunPaid, batches the run's digest, sends the anchor …
    await t.tick(); // … and indexes Anchored
    const after = (await t.http.get(`/runs/${run.runId}`).expect(200)).body;
    expect(after.paid).toEqual([
      {
        token: token.toLowerCase(),
        amount: ROYALTY.toString(),
        fee: expect.any(String),
        net: expect.any(String),
        payments: 1,
      },
    ]);
    expect(BigInt(after.paid[0].fee) + BigInt(after.paid[0].net)).toBe(ROYALTY);
  });

  it('answers "which data trained this model?" with weights, owners, licenses, proofs and the anchor, all checkable', async () => {
    const res = (await t.http.get(`/models/${modelHash}/provenance`).expect(200)).body;
    expect(res.runs).toHaveLength(1);
    const p = res.runs[0];
    expect(p.run.runId).toBe(run.runId);

    // The manifest is the lab's signature over exactly these fields.
    const r = p.run;
    const message = {
      runRef: r.runRef,
      modelName: r.modelName,
      modelHash: r.modelHash,
      entriesRoot: r.entriesRoot,
      entryCount: r.entryCount,
      weightUnit: r.weightUnit,
      startedAt: Date.parse(r.startedAt) / 1000,
      endedAt: Date.parse(r.endedAt) / 1000,
      nonce: r.nonce,
      deadline: Date.parse(r.deadline) / 1000,
    };
    expect(verifyTypedData(domain, TRAINING_RUN_TYPES, message, r.signature)).toBe(lab.address);

    expect(p.entries.map((e: { datasetId: string; weight: string }) => [e.datasetId, e.weight])).toEqual([
      [paidDataset.contentRoot, '3000'],
      [freeDataset.contentRoot, '1000'],
    ]);
    const paid = p.entries[0];
    expect(paid.owners).toEqual(
      expect.arrayContaining([
        { account: alice.address.toLowerCase(), shareBps: 7_000 },
        { account: bob.address.toLowerCase(), shareBps: 3_000 },
      ]),
    );
    expect(paid.licenses).toEqual([
      expect.objectContaining({ id: paidLicense.id, status: 'active', activationTx: expect.stringMatching(/^0x/) }),
    ]);
    for (const e of p.entries) {
      expect(
        await verifyRunEntryProof(r.entriesRoot, { datasetId: e.datasetId, weight: BigInt(e.weight) }, e.proof),
      ).toBe(true);
      expect(
        await verifyRunEntryProof(r.entriesRoot, { datasetId: e.datasetId, weight: BigInt(e.weight) + 1n }, e.proof),
      ).toBe(false);
    }
    const single = (await t.http.get(`/runs/${run.id}/entries/proof?datasetId=${freeDataset.contentRoot}`).expect(200))
      .body;
    expect(single.proof).toEqual(p.entries[1].proof);
    // Like every route, the proof takes the dataset by uuid as well as by content root, in any case.
    const byUuid = (await t.http.get(`/runs/${run.id}/entries/proof?datasetId=${freeDataset.id}`).expect(200)).body;
    expect(byUuid).toEqual(single);
    const upper = `0x${freeDataset.contentRoot.slice(2).toUpperCase()}`;
    expect((await t.http.get(`/runs/${run.id}/entries/proof?datasetId=${upper}`).expect(200)).body).toEqual(single);
    const notInRun = await t.http.get(`/runs/${run.id}/entries/proof?datasetId=${randomUUID()}`).expect(404);
    expect(notInRun.body.details).toEqual([{ field: 'datasetId', reason: 'not an entry of this run' }]);
    const neither = await t.http.get(`/runs/${run.id}/entries/proof?datasetId=street-cats`).expect(400);
    expect(neither.body.details[0].field).toBe('datasetId');

    // The run's digest is in a batch root anchored on the ProvenanceRegistry.
    expect(r.anchor.state).toBe('anchored');
    expect(r.anchor.leaf).toBe(run.runId);
    expect(await verifyBatchAnchorProof(r.anchor.batch.root, run.runId, r.anchor.batch.proof)).toBe(true);
    const registry = new Contract(
      t.chain.deployment.contracts.ProvenanceRegistry,
      artifacts.ProvenanceRegistry.abi,
      t.chain.provider,
    );
    expect(await registry.anchoredAt(r.anchor.batch.root)).toBeGreaterThan(0n);
    const receipt = await t.chain.provider.getTransactionReceipt(r.anchor.anchor.txHash);
    expect(receipt?.status).toBe(1);

    const byRun = (await t.http.get(`/runs/${run.runId}/provenance`).expect(200)).body;
    expect(byRun.entries).toEqual(p.entries);
  });

  it('answers "which runs used my dataset?" for a dataset and for a co-owner, with what the lab paid', async () => {
    const byDataset = (await t.http.get(`/datasets/${paidDataset.contentRoot}/runs`).expect(200)).body;
    expect(byDataset).toMatchObject({ total: 1, limit: 100, offset: 0 });
    expect(byDataset.items).toEqual([
      expect.objectContaining({
        runId: run.runId,
        lab: lab.address.toLowerCase(),
        weight: '3000',
        totalWeight: '4000',
        modelHash,
        paid: [expect.objectContaining({ amount: ROYALTY.toString() })],
      }),
    ]);
    const byBob = (await t.http.get(`/contributors/${bob.address}/runs`).expect(200)).body;
    expect(byBob.total).toBe(1);
    expect(byBob.items).toEqual([
      expect.objectContaining({
        runId: run.runId,
        datasetId: paidDataset.contentRoot,
        shareBps: 3_000,
        weight: '3000',
      }),
    ]);
    const byCarol = (await t.http.get(`/contributors/${carol.address}/runs`).expect(200)).body;
    expect(byCarol.items.map((x: { datasetId: string }) => x.datasetId)).toEqual([freeDataset.contentRoot]);
    const licenses = (await t.http.get(`/datasets/${paidDataset.id}/licenses`).expect(200)).body.items;
    expect(licenses).toEqual([expect.objectContaining({ id: paidLicense.id, status: 'active' })]);
  });

  it('exports the run’s dataset list as Croissant JSON-LD', async () => {
    const res = await t.http.get(`/runs/${run.runId}/croissant`).expect(200);
    expect(res.headers['content-type']).toContain('application/ld+json');
    const doc = JSON.parse(res.text);
    expect(doc).toMatchObject({
      '@type': 'sc:Dataset',
      conformsTo: 'http://mlcommons.org/croissant/1.0',
      identifier: run.runId,
    });
    expect(doc['@context'].cr).toBe('http://mlcommons.org/croissant/');
    expect(doc.isBasedOn.map((d: { identifier: string }) => d.identifier)).toEqual([
      paidDataset.contentRoot,
      freeDataset.contentRoot,
    ]);
    expect(doc.recordSet[0].data).toEqual([
      { 'entries/datasetId': paidDataset.contentRoot, 'entries/weight': '3000' },
      { 'entries/datasetId': freeDataset.contentRoot, 'entries/weight': '1000' },
    ]);
  });

  it('a license payment undone by a chain reorganisation puts the license back to pending_payment', async () => {
    await withClient(t.database.url, (c) =>
      c.query(`DELETE FROM chain_events WHERE id = (SELECT activated_by_event_id FROM licenses WHERE id = $1)`, [
        paidLicense.id,
      ]),
    );
    const back = (await t.http.get(`/licenses/${paidLicense.id}`).expect(200)).body;
    expect(back.license).toMatchObject({ status: 'pending_payment', activatedAt: null, activationTx: null });
    expect(back.payment.runId).toBe(paidLicense.paymentRef);
  });
});

import { createHash } from 'node:crypto';
import { Interface, Wallet } from 'ethers';
import { artifacts } from '@upstream/chain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildContentTree, licensingChangeTypedData, type UpstreamDomain } from '@upstream/provenance';
import { signRegistration, type RegistrationInput } from '../../apps/cli/src/contribution/registration';
import { startTestApp, type TestApp } from '../support/app';
import { signLicense, signRunManifest, withClient } from '../support/catalogue-fixtures';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const DAY_MS = 86_400_000;

/** Licenses that mean something: terms with a duration expire, paid-per-run is paid per run, closing licensing keeps existing licenses. */
describe('licenses that mean something: durations, per-run fees, closing licensing', () => {
  let t: TestApp;
  let domain: UpstreamDomain;
  let token: string;
  const [ALICE, LAB, NEWLAB] = [3, 6, 7];
  let alice: Wallet, lab: Wallet, newLab: Wallet;
  const FEE = 1_000n * 10n ** 6n;
  const ROYALTY = 5_000n * 10n ** 6n;

  /** The lab sends a call the API described (approve or payRun) from its own wallet. */
  const send = async (call: { to: string; data: string }) => (await t.chain.wallet(LAB).sendTransaction(call)).wait();

  /** Alice uploads `bytes` and registers them as a one-file dataset under `license`. */
  async function register(bytes: Buffer, license: NonNullable<RegistrationInput['license']>) {
    const http = await t.as(ALICE);
    await http.put('/blobs').set('content-type', 'application/octet-stream').send(bytes).expect(200);
    const tree = await buildContentTree([{ path: 'data.bin', size: BigInt(bytes.length), sha256: sha256(bytes) }]);
    const body = await signRegistration(alice, {
      entries: [...tree.entries],
      contentRoot: tree.root,
      title: `dataset ${tree.root.slice(0, 10)}`,
      license,
      domain,
    });
    const res = await http.post('/datasets').send(body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as {
      id: string;
      contentRoot: string;
      license: { termsHash: string; terms: Record<string, unknown> };
    };
  }

  async function acquire(
    wallet: Wallet,
    dataset: { contentRoot: string; license: { termsHash: string } },
    status: number,
  ) {
    const body = await signLicense(wallet, domain, {
      datasetId: dataset.contentRoot,
      termsHash: dataset.license.termsHash,
    });
    const res = await t.http.post('/licenses').send(body);
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    return res;
  }

  async function recordRun(datasets: { contentRoot: string }[], who = LAB) {
    const entries = datasets.map((d, i) => ({ datasetId: d.contentRoot, weight: BigInt(1_000 * (i + 1)) }));
    const signed = await signRunManifest(new Wallet(t.chain.privateKey(who)), domain, { entries });
    return (await t.as(who))
      .post('/runs')
      .send({ ...signed.body, entries: entries.map((e) => ({ datasetId: e.datasetId, weight: e.weight.toString() })) });
  }

  beforeAll(async () => {
    t = await startTestApp({ ANCHOR_INTERVAL_MS: '0' }, { validateResponses: true });
    domain = (await t.http.get('/chain').expect(200)).body.eip712Domain;
    [alice, lab, newLab] = [ALICE, LAB, NEWLAB].map((i) => new Wallet(t.chain.privateKey(i)));
    token = t.chain.deployment.contracts.PaymentToken!;
  });
  afterAll(() => t?.close());

  describe('terms with a duration', () => {
    it('refuses a duration outside 1–3650 days, naming the field', async () => {
      const tree = await buildContentTree([{ path: 'x.bin', size: 1n, sha256: sha256(Buffer.from('x')) }]);
      for (const durationDays of [0, 3651, 1.5, '30']) {
        const body = await signRegistration(alice, {
          entries: [...tree.entries],
          contentRoot: tree.root,
          title: 'bad duration',
          domain,
          externalUri: 's3://bucket/x/',
        });
        const res = await (
          await t.as(ALICE)
        )
          .post('/datasets')
          .send({ ...body, license: { template: 'open-training', durationDays } })
          .expect(400);
        expect(res.body.error, JSON.stringify(res.body)).toBe('VALIDATION_FAILED');
        expect(res.body.details.map((d: { field: string }) => d.field)).toContain('license.durationDays');
      }
    });

    it('a free license expires durationDays after it becomes active; expired, it stops runs and downloads', async () => {
      const dataset = await register(Buffer.from('thirty days '.repeat(50)), {
        template: 'research-only',
        durationDays: 30,
      });
      expect(dataset.license.terms.durationDays).toBe(30);
      const res = await acquire(lab, dataset, 201);
      const { license } = res.body;
      expect(license.status).toBe('active');
      expect(Date.parse(license.expiresAt) - Date.parse(license.activatedAt)).toBe(30 * DAY_MS);

      const content = `/datasets/${dataset.id}/files/content?path=data.bin`;
      await (await t.as(LAB)).get(content).expect(200);
      expect((await recordRun([dataset])).status).toBe(201);

      // Thirty days later (the clock moved by moving the expiry).
      await withClient(t.database.url, (c) =>
        c.query(`UPDATE licenses SET expires_at = now() - interval '1 second' WHERE id = $1`, [license.id]),
      );
      const download = await (await t.as(LAB)).get(content).expect(403);
      expect(download.body.error).toBe('LICENSE_EXPIRED');
      const run = await recordRun([dataset]);
      expect(run.status).toBe(403);
      expect(run.body).toMatchObject({ error: 'UNLICENSED_DATASETS', details: [{ field: 'entries[0].datasetId' }] });
      expect((await t.http.get(`/licenses/${license.id}`).expect(200)).body.license.status).toBe('expired');
    });
  });

  describe('paid-per-run is paid per run', () => {
    let paid: Awaited<ReturnType<typeof register>>;
    let licenseId: string;

    it('a paid license with a duration has no expiry until its fee is paid, then durationDays from activation', async () => {
      paid = await register(Buffer.from('paid per run '.repeat(40)), {
        template: 'paid-per-run',
        fee: { token, amount: FEE.toString() },
        durationDays: 10,
      });
      const res = await acquire(lab, paid, 201);
      expect(res.body.license).toMatchObject({ status: 'pending_payment', expiresAt: null });
      licenseId = res.body.license.id;
      await send(res.body.payment.approve);
      await send(res.body.payment.call);
      await t.tick();
      const active = (await t.http.get(`/licenses/${licenseId}`).expect(200)).body.license;
      expect(active.status).toBe('active');
      expect(Date.parse(active.expiresAt) - Date.parse(active.activatedAt)).toBe(10 * DAY_MS);
    });

    it('the acquisition fee covers the first run', async () => {
      const res = await recordRun([paid]);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.run).toMatchObject({ fees: [], feeStatus: 'none' });
      const payment = (await t.http.get(`/runs/${res.body.runId}/payment?amount=${ROYALTY}`).expect(200)).body;
      expect(payment).toMatchObject({ amount: ROYALTY.toString(), royalty: ROYALTY.toString(), fees: [] });
    });

    it('a further run owes the fee: awaiting_fee, and its payment instructions include the fee', async () => {
      const res = await recordRun([paid]);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const runId = res.body.runId as string;
      expect(res.body.run).toMatchObject({
        feeStatus: 'awaiting_fee',
        fees: [{ datasetId: paid.contentRoot, token: token.toLowerCase(), amount: FEE.toString(), paid: '0' }],
      });

      const payment = (await t.http.get(`/runs/${runId}/payment?amount=${ROYALTY}`).expect(200)).body;
      expect(payment).toMatchObject({
        runId,
        amount: (ROYALTY + FEE).toString(),
        royalty: ROYALTY.toString(),
        fees: [{ datasetId: paid.contentRoot, amount: FEE.toString() }],
      });

      // A payment short of the fee pays part of it and leaves the run awaiting the rest.
      const short = FEE / 4n;
      const shortOnly = exactPayment(runId, short);
      await send(shortOnly.approve);
      await send(shortOnly.call);
      await t.tick();
      const waiting = (await t.http.get(`/runs/${runId}`).expect(200)).body;
      expect(waiting).toMatchObject({ feeStatus: 'awaiting_fee', fees: [{ paid: short.toString() }] });
      const rest = (await t.http.get(`/runs/${runId}/payment?amount=${ROYALTY}`).expect(200)).body;
      expect(rest.fees).toEqual([{ datasetId: paid.contentRoot, amount: (FEE - short).toString() }]);
      expect(rest.amount).toBe((ROYALTY + FEE - short).toString());

      await send(rest.approve);
      await send(rest.call);
      await t.tick();
      const after = (await t.http.get(`/runs/${runId}`).expect(200)).body;
      expect(after).toMatchObject({ feeStatus: 'paid', fees: [{ amount: FEE.toString(), paid: FEE.toString() }] });

      // Every payment fully accounted for: protocol fee + ledger == amount, and the fee parts are on record.
      const payments = (await t.http.get(`/runs/${runId}/payments`).expect(200)).body.items as {
        amount: string;
        fee: string;
        ledgerTotal: string;
        status: string;
      }[];
      expect(payments).toHaveLength(2);
      for (const p of payments) {
        expect(p.status).toBe('allocated');
        expect(BigInt(p.fee) + BigInt(p.ledgerTotal)).toBe(BigInt(p.amount));
      }
      const covered = await withClient(t.database.url, (c) =>
        c.query(
          `SELECT pf.amount::text FROM royalty_payment_run_fees pf JOIN training_runs r ON r.id = pf.run_id
           WHERE r.run_id = $1 ORDER BY pf.payment_id`,
          [runId],
        ),
      );
      expect(covered.rows.map((r: { amount: string }) => r.amount)).toEqual([
        short.toString(),
        (FEE - short).toString(),
      ]);
    });

    /** The approve and payRun calls for exactly `amount` (less than the instructions ask for). */
    function exactPayment(runId: string, amount: bigint) {
      const splitterAddress = t.chain.deployment.contracts.RoyaltySplitter;
      const splitter = new Interface(artifacts.RoyaltySplitter.abi);
      const erc20 = new Interface(['function approve(address spender, uint256 amount) returns (bool)']);
      return {
        approve: { to: token, data: erc20.encodeFunctionData('approve', [splitterAddress, amount]) },
        call: { to: splitterAddress, data: splitter.encodeFunctionData('payRun', [runId, token, amount]) },
      };
    }
  });

  describe('closing licensing to new labs', () => {
    it('leaves existing licenses running: the licensed lab still downloads and records runs; a new lab cannot license', async () => {
      const bytes = Buffer.from('closed later '.repeat(30));
      const dataset = await register(bytes, { template: 'research-only' });
      await acquire(lab, dataset, 201);

      const message = {
        datasetId: dataset.contentRoot,
        open: false,
        nonce: 1n,
        deadline: BigInt(Math.floor(Date.now() / 1000) + 600),
      };
      const td = licensingChangeTypedData(domain, message);
      const signature = await alice.signTypedData(td.domain, td.types, td.message);
      const closed = await t.http
        .post(`/datasets/${dataset.id}/licensing`)
        .send({ open: false, signer: alice.address, nonce: '1', deadline: Number(message.deadline), signature });
      expect(closed.status, JSON.stringify(closed.body)).toBe(200);
      expect(closed.body.licensingOpen).toBe(false);

      const download = await (
        await t.as(LAB)
      )
        .get(`/datasets/${dataset.id}/files/content?path=data.bin`)
        .buffer(true)
        .expect(200);
      expect(Buffer.from(download.body as Buffer).equals(bytes)).toBe(true);
      const run = await recordRun([dataset]);
      expect(run.status, JSON.stringify(run.body)).toBe(201);

      const refused = await acquire(newLab, dataset, 403);
      expect(refused.body).toMatchObject({ error: 'LICENSING_CLOSED', details: [{ field: 'datasetId' }] });
      const stranger = await (await t.as(NEWLAB)).get(`/datasets/${dataset.id}/files/content?path=data.bin`);
      expect(stranger.status).toBe(403);
    });
  });
});

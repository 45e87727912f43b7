import { createHash, randomBytes } from 'node:crypto';
import { Wallet, ZeroAddress } from 'ethers';
import type TestAgent from 'supertest/lib/agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildContentTree, type FileEntry, type UpstreamDomain } from '@upstream/provenance';
import { signRegistration, type RegistrationInput } from '../../apps/cli/src/contribution/registration';
import { startTestApp, type TestApp } from '../support/app';
import {
  insertDataset,
  signLicense,
  signRunManifest,
  withClient,
  type FixtureDataset,
} from '../support/catalogue-fixtures';

const TWO_256 = (1n << 256n).toString();
const TWO_255 = 1n << 255n;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/**
 * Issue 12 (numbers, ranges, values): every number has an explicit range and every value its
 * allowed kinds, so an out-of-range input is a 400 naming the field, never a 500 and never stored.
 */
describe('numbers and values: out of range is a 400 naming the field, never a 500', () => {
  let t: TestApp;
  let domain: UpstreamDomain;
  let lab: Wallet;
  let contributor: Wallet;
  let asLab: TestAgent;
  let asContributor: TestAgent;
  let licensed: FixtureDataset;
  let licensed2: FixtureDataset;
  let paymentToken: string;

  beforeAll(async () => {
    t = await startTestApp({}, { validateResponses: true });
    domain = (await t.http.get('/chain').expect(200)).body.eip712Domain;
    [lab, contributor] = [3, 4].map((i) => new Wallet(t.chain.privateKey(i)));
    [asLab, asContributor] = await Promise.all([t.as(3), t.as(4)]);
    paymentToken = t.chain.deployment.contracts.PaymentToken!;
    [licensed, licensed2] = await Promise.all([insertDataset(t.database.url), insertDataset(t.database.url)]);
    for (const d of [licensed, licensed2])
      await t.http
        .post('/licenses')
        .send(await signLicense(lab, domain, { datasetId: d.contentRoot, termsHash: d.termsHash }))
        .expect(201);
  });
  afterAll(() => t?.close());

  function expectRefusal(
    res: { status: number; body: Record<string, unknown> },
    status: number,
    error: string,
    field: string,
  ) {
    expect({ status: res.status, error: res.body.error }, JSON.stringify(res.body)).toEqual({ status, error });
    expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  }

  /** An external dataset of one file (nothing uploaded), signed by the contributor. */
  async function registration(input: Partial<Omit<RegistrationInput, 'domain' | 'entries' | 'contentRoot'>> = {}) {
    const bytes = randomBytes(16);
    const tree = await buildContentTree([{ path: 'a.bin', size: BigInt(bytes.length), sha256: sha256(bytes) }]);
    return signRegistration(contributor, {
      title: 'Numbers',
      domain,
      entries: [...tree.entries] as FileEntry[],
      contentRoot: tree.root,
      externalUri: 'https://example.org/data/',
      ...input,
    });
  }
  const register = (body: object) => asContributor.post('/datasets').send(body);
  const count = (sql: string, params: unknown[] = []) =>
    withClient(t.database.url, (c) => c.query<{ n: number }>(sql, params).then((r) => r.rows[0].n));

  describe('page offsets, limits and epochs are plain integers in range', () => {
    it.each([
      ['/epochs?offset=2147483648', 'offset'],
      ['/epochs?offset=1e20', 'offset'],
      ['/epochs?limit=0x10', 'limit'],
      [`/labs/${'0x' + '11'.repeat(20)}/licenses?offset=2147483648`, 'offset'],
      [`/labs/${'0x' + '11'.repeat(20)}/licenses?offset=1e20`, 'offset'],
      ['/datasets?limit=1e2', 'limit'],
      ['/epochs/1e20', 'epoch'],
      ['/epochs/2147483648', 'epoch'],
      ['/epochs/-1', 'epoch'],
    ])('GET %s → 400 naming %s', async (path, field) => {
      expectRefusal(await t.http.get(path), 400, 'VALIDATION_FAILED', field);
    });

    it('still answers in-range pages', async () => {
      await t.http.get('/epochs?offset=1000000000&limit=1000').expect(200);
      await t.http.get(`/labs/${lab.address}/licenses?offset=0&limit=5`).expect(200);
    });
  });

  describe('uint256 amounts and weights', () => {
    it('refuses a payment amount of 2^256 and accepts 2^256 - 1', async () => {
      const { body } = await signRunManifest(lab, domain, {
        entries: [{ datasetId: licensed.contentRoot, weight: 1n }],
      });
      const created = await asLab
        .post('/runs')
        .send({ ...body, entries: [{ datasetId: licensed.contentRoot, weight: '1' }] })
        .expect(201);
      const id = created.body.run.id as string;
      expectRefusal(await t.http.get(`/runs/${id}/payment?amount=${TWO_256}`), 400, 'VALIDATION_FAILED', 'amount');
      expectRefusal(await t.http.get(`/runs/${id}/payment?amount=0`), 400, 'VALIDATION_FAILED', 'amount');
      await t.http.get(`/runs/${id}/payment?amount=${(1n << 256n) - 1n}`).expect(200);
    });

    it('refuses a run whose weights sum past uint256 (two of 2^255), and keeps nothing of it', async () => {
      const entries = [
        { datasetId: licensed.contentRoot, weight: TWO_255 },
        { datasetId: licensed2.contentRoot, weight: TWO_255 },
      ];
      const { body } = await signRunManifest(lab, domain, { entries });
      const res = await asLab
        .post('/runs')
        .send({ ...body, entries: entries.map((e) => ({ datasetId: e.datasetId, weight: e.weight.toString() })) });
      expectRefusal(res, 400, 'VALIDATION_FAILED', 'entries');
      expect(await count(`SELECT count(*)::int AS n FROM run_uploads`)).toBe(0);
      expect(await count(`SELECT count(*)::int AS n FROM training_runs WHERE run_ref = $1`, [body.runRef])).toBe(0);
    });

    it('refuses nonces above uint256 on every signed message', async () => {
      const run = await signRunManifest(lab, domain, { entries: [{ datasetId: licensed.contentRoot, weight: 1n }] });
      expectRefusal(await asLab.post('/runs').send({ ...run.body, nonce: TWO_256 }), 400, 'VALIDATION_FAILED', 'nonce');
      const license = await signLicense(lab, domain, {
        datasetId: licensed.contentRoot,
        termsHash: licensed.termsHash,
      });
      expectRefusal(
        await t.http.post('/licenses').send({ ...license, nonce: TWO_256 }),
        400,
        'VALIDATION_FAILED',
        'nonce',
      );
      expectRefusal(await register({ ...(await registration()), nonce: TWO_256 }), 400, 'VALIDATION_FAILED', 'nonce');
    });
  });

  describe('times fit timestamptz', () => {
    it.each([
      ['startedAt', 1e18],
      ['endedAt', 1e18],
      ['deadline', 1e15],
      ['startedAt', -1],
      ['startedAt', 1.5],
    ])("refuses a run's %s of %d", async (field, value) => {
      const { body } = await signRunManifest(lab, domain, {
        entries: [{ datasetId: licensed.contentRoot, weight: 1n }],
      });
      expectRefusal(await asLab.post('/runs').send({ ...body, [field]: value }), 400, 'VALIDATION_FAILED', field);
    });

    it('refuses a license deadline of 1e15', async () => {
      const license = await signLicense(lab, domain, {
        datasetId: licensed.contentRoot,
        termsHash: licensed.termsHash,
      });
      expectRefusal(
        await t.http.post('/licenses').send({ ...license, deadline: 1e15 }),
        400,
        'VALIDATION_FAILED',
        'deadline',
      );
      expectRefusal(
        await asLab
          .post(`/datasets/${licensed.id}/licensing`)
          .send({ open: false, signer: lab.address, nonce: '1', deadline: 1e15, signature: '0x' + '11'.repeat(65) }),
        400,
        'VALIDATION_FAILED',
        'deadline',
      );
    });

    it('refuses a chunk offset beyond any manifest', async () => {
      const res = await asLab
        .post(`/runs/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/entries`)
        .send({ offset: 1e20, entries: [{ datasetId: licensed.contentRoot, weight: '1' }] });
      expectRefusal(res, 400, 'VALIDATION_FAILED', 'offset');
    });
  });

  describe('license fees', () => {
    it('refuses a fee above uint256 at registration, naming license.fee.amount', async () => {
      const body = await registration({
        license: { template: 'paid-per-run', fee: { token: paymentToken, amount: '5' } },
      });
      const res = await register({
        ...body,
        license: { template: 'paid-per-run', fee: { token: paymentToken, amount: TWO_256 } },
      });
      expectRefusal(res, 400, 'VALIDATION_FAILED', 'license.fee.amount');
    });

    it.each([
      ['the zero address', () => ZeroAddress],
      ['an ordinary wallet', () => new Wallet(t.chain.privateKey(6)).address],
      ['a contract that is not an ERC-20', () => t.chain.deployment.contracts.ProvenanceRegistry],
    ])('refuses %s as a fee token, naming license.fee.token', async (_, token) => {
      const fee = { token: token(), amount: '5' };
      const res = await register(await registration({ license: { template: 'paid-per-run', fee } }));
      expectRefusal(res, 400, 'VALIDATION_FAILED', 'license.fee.token');
    });

    it('accepts the payment token as a fee token', async () => {
      const fee = { token: paymentToken, amount: '5' };
      await register(await registration({ license: { template: 'paid-per-run', fee } })).expect(201);
    });

    it('a dataset registered with a fee above uint256 before the check: acquiring is refused, nothing is left behind', async () => {
      const legacy = await insertDataset(t.database.url, {
        template: 'paid-per-run',
        fee: { token: paymentToken, amount: 1n << 256n },
      });
      const acquire = await t.http
        .post('/licenses')
        .send(await signLicense(lab, domain, { datasetId: legacy.contentRoot, termsHash: legacy.termsHash }));
      expectRefusal(acquire, 409, 'LICENSE_FEE_UNPAYABLE', 'datasetId');
      await t.http.get(`/datasets/${legacy.id}`).expect(200);
      expect(await count(`SELECT count(*)::int AS n FROM licenses WHERE dataset_id = $1`, [legacy.id])).toBe(0);
    });

    it('a pending license left with a fee above uint256 still reads (without payment instructions)', async () => {
      const legacy = await insertDataset(t.database.url, {
        template: 'paid-per-run',
        fee: { token: paymentToken, amount: 1n << 256n },
      });
      const id = await withClient(t.database.url, (c) =>
        c
          .query<{ id: string }>(
            `INSERT INTO licenses (dataset_id, licensee, terms_hash, status, fee_token, fee_amount, payment_ref, nonce,
                                   deadline, signature, digest)
             VALUES ($1, $2, $3, 'pending_payment', $4, $5, $6, 1, now() + interval '1 day', '0x', $6) RETURNING id`,
            [
              legacy.id,
              lab.address.toLowerCase(),
              legacy.termsHash,
              paymentToken.toLowerCase(),
              TWO_256,
              '0x' + randomBytes(32).toString('hex'),
            ],
          )
          .then((r) => r.rows[0].id),
      );
      const res = await t.http.get(`/licenses/${id}`).expect(200);
      expect(res.body.license).toMatchObject({ id, status: 'pending_payment', fee: { amount: TWO_256 } });
      expect(res.body.payment).toBeUndefined();
    });
  });

  describe('externalUri schemes', () => {
    it.each([
      'javascript:alert(1)',
      'javascript://%0aalert(1)',
      'http://example.org/data',
      'file:///etc/passwd',
      'data://text/html,x',
    ])('refuses %s naming externalUri', async (externalUri) => {
      const res = await register(await registration({ externalUri }));
      expectRefusal(res, 400, 'VALIDATION_FAILED', 'externalUri');
    });

    it.each(['https://example.org/data/', 's3://bucket/data/', 'ipfs://bafybeigdyrzt', 'ar://txid-0123'])(
      'accepts %s',
      async (externalUri) => {
        await register(await registration({ externalUri })).expect(201);
      },
    );
  });
});

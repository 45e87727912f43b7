import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Contract, Wallet, ethers } from 'ethers';
import type TestAgent from 'supertest/lib/agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UpstreamDomain } from '@upstream/provenance';
import { artifacts, LocalChain } from '@upstream/chain';
import { ChainSyncService } from '../../apps/api/src/worker/chain-sync.service';
import { startTestApp, type TestApp } from '../support/app';
import { signLicense, signRunManifest } from '../support/catalogue-fixtures';
import { openDisputeWith } from '../support/chain';
import { CLI_BUILT, runCli } from '../support/cli';
import { registerFiles } from '../support/registration';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

interface Registered {
  id: string;
  contentRoot: string;
}

describe('disputes: opened with a bond on-chain, shown by the routes; upheld, the dataset is delisted and its descendants tagged', () => {
  let t: TestApp;
  let domain: UpstreamDomain;
  let alice: Wallet;
  let lab: Wallet;
  let carol: Wallet;
  let otherLab: Wallet;
  let asLab: TestAgent;
  const arbiterIndex = 6;
  const disputerIndex = 7;
  let disputer: string;
  let dataset: Registered;
  let child: Registered;
  let grandchild: Registered;
  let unrelated: Registered;
  let earlierRun: string;
  const bond = 10_000_000n; // the local token's minimum bond (10 tokens of 6 decimals)

  const catchUp = () => t.app.get(ChainSyncService).indexer.catchUp();
  const bondsAs = (index: number) =>
    new Contract(
      t.chain.deployment.contracts.DisputeBonds!,
      artifacts.DisputeBonds.abi,
      new Wallet(t.chain.privateKey(index), t.chain.provider),
    );
  const detail = async (d: Registered) => (await t.http.get(`/datasets/${d.id}`).expect(200)).body;
  const catalogueIds = async (query = '') =>
    ((await t.http.get(`/datasets?limit=500${query}`).expect(200)).body.items as { id: string }[]).map((d) => d.id);

  const register = (who: Wallet, files: Record<string, Buffer>, extra: object = {}) =>
    registerFiles(t, domain, who, files, extra);

  async function license(who: Wallet, d: Registered) {
    const { termsHash } = (await detail(d)).license;
    return t.http.post('/licenses').send(await signLicense(who, domain, { datasetId: d.contentRoot, termsHash }));
  }

  async function recordRun(d: Registered) {
    const manifest = await signRunManifest(lab, domain, { entries: [{ datasetId: d.contentRoot, weight: 7n }] });
    return asLab.post('/runs').send({ ...manifest.body, entries: [{ datasetId: d.contentRoot, weight: '7' }] });
  }

  const openDispute = (d: Registered) =>
    openDisputeWith(t.chain.deployment, new Wallet(t.chain.privateKey(disputerIndex), t.chain.provider), {
      datasetId: d.contentRoot,
      label: 0,
      evidenceHash: '0x' + sha256(Buffer.from('the original, registered in 2025')),
      evidenceUri: 'https://evidence.example/original',
      claimedOwners: [disputer],
      bond,
    });

  beforeAll(async () => {
    if (!CLI_BUILT) throw new Error('the CLI is not built: run `npm run build` (npm test does)');
    const arbiter = new Wallet(LocalChain.devPrivateKey(arbiterIndex)).address;
    t = await startTestApp(
      { EPOCH_INTERVAL_MS: '3600000' },
      { validateResponses: true, chain: { arbiters: [arbiter] } },
    );
    domain = (await t.http.get('/chain').expect(200)).body.eip712Domain;
    [alice, lab, carol, otherLab] = [3, 4, 5, 8].map((i) => new Wallet(t.chain.privateKey(i)));
    disputer = new Wallet(t.chain.privateKey(disputerIndex)).address.toLowerCase();
    asLab = await t.as(lab);

    dataset = await register(alice, { 'a.bin': randomBytes(4000) }, { license: { template: 'research-only' } });
    child = await register(
      carol,
      { 'c.bin': randomBytes(3000) },
      { parents: [{ datasetId: dataset.contentRoot, upstreamBps: 1000 }] },
    );
    grandchild = await register(
      carol,
      { 'g.bin': randomBytes(2000) },
      { parents: [{ datasetId: child.contentRoot, upstreamBps: 500 }] },
    );
    unrelated = await register(carol, { 'u.bin': randomBytes(1000) });
    expect((await license(lab, dataset)).status).toBe(201);
    const run = await recordRun(dataset);
    expect(run.status, JSON.stringify(run.body)).toBe(201);
    earlierRun = run.body.run.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists nothing before a dispute, and states the contract’s parameters for wallets', async () => {
    expect((await t.http.get('/disputes').expect(200)).body).toEqual({ items: [], total: 0, limit: 100, offset: 0 });
    expect(await detail(dataset)).toMatchObject({ tags: [], openDisputes: [] });
    const params = (await t.http.get('/disputes/parameters').expect(200)).body;
    expect(params).toEqual({
      contract: t.chain.deployment.contracts.DisputeBonds,
      chainId: 31337,
      timeoutSeconds: 604_800,
      bondTokens: [{ token: t.chain.deployment.contracts.PaymentToken, minBond: bond.toString() }],
      arbiterRole: ethers.id('ARBITER_ROLE'),
      labels: ['IMPROPER_REGISTRATION', 'INFRINGEMENT', 'IMPROPER_USAGE', 'IMPROPER_PAYMENT'],
    });
  });

  it('shows an opened dispute on its route, in the lists and on the dataset (tagged disputed, still usable)', async () => {
    const receipt = await openDispute(dataset);
    await catchUp();
    const block = await t.chain.provider.getBlock(receipt.blockNumber);
    const dispute = (await t.http.get('/disputes/1').expect(200)).body;
    expect(dispute).toEqual({
      id: '1',
      contract: t.chain.deployment.contracts.DisputeBonds,
      status: 'open',
      label: 'IMPROPER_REGISTRATION',
      contentRoot: dataset.contentRoot,
      dataset: { id: dataset.id, title: `dataset of ${alice.address.slice(0, 8)}` },
      disputer,
      token: t.chain.deployment.contracts.PaymentToken!.toLowerCase(),
      bond: bond.toString(),
      evidenceHash: '0x' + sha256(Buffer.from('the original, registered in 2025')),
      evidenceUri: 'https://evidence.example/original',
      claimedOwners: [disputer],
      opened: {
        blockNumber: receipt.blockNumber,
        txHash: receipt.hash,
        at: new Date(block!.timestamp * 1000).toISOString(),
      },
      closableFrom: new Date((block!.timestamp + 604_800) * 1000).toISOString(),
      resolution: null,
    });
    for (const url of [
      '/disputes',
      `/disputes?dataset=${dataset.id}&status=open`,
      `/disputes?dataset=${dataset.contentRoot}&disputer=${disputer.toUpperCase().replace('0X', '0x')}`,
      `/datasets/${dataset.contentRoot}/disputes`,
    ])
      expect((await t.http.get(url).expect(200)).body, url).toEqual({
        items: [dispute],
        total: 1,
        limit: 100,
        offset: 0,
      });
    for (const url of [
      '/disputes?status=upheld',
      `/disputes?dataset=${child.id}`,
      `/datasets/${dataset.id}/disputes?status=rejected`,
    ])
      expect((await t.http.get(url).expect(200)).body.total, url).toBe(0);

    expect(await detail(dataset)).toMatchObject({ tags: ['disputed'], openDisputes: ['1'] });
    const summary = (await t.http.get('/datasets?limit=500').expect(200)).body.items.find(
      (d: Registered) => d.id === dataset.id,
    );
    expect(summary).toMatchObject({ tags: ['disputed'], openDisputes: ['1'] });
    expect(await detail(child)).toMatchObject({ tags: [], openDisputes: [] });
    // Open, the dataset stays usable: licensing and deliveries go on.
    await asLab.get(`/datasets/${dataset.id}/files/content?path=a.bin`).expect(200);
  });

  it('refuses malformed and unknown dispute ids and datasets, naming the field', async () => {
    const cases: [string, number, string, string][] = [
      ['/disputes/2', 404, 'DISPUTE_NOT_FOUND', 'id'],
      ['/disputes/0', 400, 'VALIDATION_FAILED', 'id'],
      ['/disputes/1e3', 400, 'VALIDATION_FAILED', 'id'],
      ['/disputes?status=closed', 400, 'VALIDATION_FAILED', 'status'],
      ['/disputes?disputer=0x12', 400, 'VALIDATION_FAILED', 'disputer'],
      ['/disputes?dataset=cats', 400, 'VALIDATION_FAILED', 'dataset'],
      [`/disputes?dataset=${ethers.id('nothing')}`, 404, 'DATASET_NOT_FOUND', 'dataset'],
      [`/datasets/${ethers.id('nothing')}/disputes`, 404, 'DATASET_NOT_FOUND', 'id'],
    ];
    for (const [url, status, error, field] of cases) {
      const res = await t.http.get(url);
      expect(res.status, url).toBe(status);
      expect(res.body, url).toMatchObject({ error, details: [{ field }] });
    }
  });

  it('upheld: delists the dataset (no licenses, deliveries or new runs, each refusal named), tags its descendants; a rollback undoes it', async () => {
    const snapshot: string = await t.chain.provider.send('evm_snapshot', []);
    const receipt = (await (await bondsAs(arbiterIndex).getFunction('uphold')(1, [disputer], [10_000])).wait())!;
    await catchUp();

    const dispute = (await t.http.get('/disputes/1').expect(200)).body;
    expect(dispute).toMatchObject({
      status: 'upheld',
      closableFrom: null,
      resolution: {
        outcome: 'upheld',
        rightfulOwners: [{ account: disputer, shareBps: 10_000 }],
        resolver: new Wallet(t.chain.privateKey(arbiterIndex)).address.toLowerCase(),
        bondRunId: null,
        event: { blockNumber: receipt.blockNumber, txHash: receipt.hash },
      },
    });
    expect((await t.http.get('/disputes?status=upheld').expect(200)).body.total).toBe(1);
    expect(await detail(dataset)).toMatchObject({ tags: ['disputed-upheld'], openDisputes: [] });
    expect(await detail(child)).toMatchObject({ tags: ['review:upstream-disputed'] });
    expect(await detail(grandchild)).toMatchObject({ tags: ['review:upstream-disputed'] });
    expect(await detail(unrelated)).toMatchObject({ tags: [] });

    // The catalogue hides it unless asked; its descendants stay listed (tagged, not delisted).
    expect(await catalogueIds()).not.toContain(dataset.id);
    expect(await catalogueIds()).toEqual(expect.arrayContaining([child.id, grandchild.id, unrelated.id]));
    expect(await catalogueIds('&include=delisted')).toContain(dataset.id);
    expect((await t.http.get('/datasets?include=all').expect(400)).body).toMatchObject({
      details: [{ field: 'include' }],
    });

    const licensing = await license(otherLab, dataset);
    expect(licensing.status).toBe(410);
    expect(licensing.body).toMatchObject({
      error: 'DATASET_DELISTED',
      details: [{ field: 'datasetId', reason: expect.stringContaining('dispute 1') }],
      disputeId: '1',
    });
    const delivery = await asLab.get(`/datasets/${dataset.id}/files/content?path=a.bin`);
    expect(delivery.status).toBe(410);
    expect(delivery.body).toMatchObject({ error: 'DATASET_DELISTED' });
    const run = await recordRun(dataset);
    expect(run.status).toBe(410);
    expect(run.body).toMatchObject({
      error: 'DATASET_DELISTED',
      details: [{ field: 'entries[0].datasetId', reason: expect.stringContaining(dataset.contentRoot) }],
    });
    // The run that used it before keeps its record.
    expect((await t.http.get(`/runs/${earlierRun}`).expect(200)).body).toMatchObject({ id: earlierRun });
    // Its descendants stay usable.
    expect((await license(otherLab, child)).status).toBe(201);

    // The block with the resolution is reorganised away: the dispute is open again, nothing is delisted.
    await t.chain.provider.send('evm_revert', [snapshot]);
    await t.chain.provider.send('anvil_mine', ['0x3']);
    await catchUp();
    expect((await t.http.get('/disputes/1').expect(200)).body).toMatchObject({ status: 'open', resolution: null });
    expect(await detail(dataset)).toMatchObject({ tags: ['disputed'], openDisputes: ['1'] });
    expect(await detail(child)).toMatchObject({ tags: [] });
    expect(await catalogueIds()).toContain(dataset.id);
    await asLab.get(`/datasets/${dataset.id}/files/content?path=a.bin`).expect(200);
  });

  it('rejected: the tags go and nothing is delisted', async () => {
    const receipt = (await (await bondsAs(arbiterIndex).getFunction('reject')(1)).wait())!;
    await catchUp();
    const dispute = (await t.http.get('/disputes/1').expect(200)).body;
    expect(dispute).toMatchObject({
      status: 'rejected',
      resolution: { outcome: 'rejected', rightfulOwners: [], event: { txHash: receipt.hash } },
    });
    expect(dispute.resolution.bondRunId).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await detail(dataset)).toMatchObject({ tags: [], openDisputes: [] });
    expect(await detail(child)).toMatchObject({ tags: [] });
    expect(await catalogueIds()).toContain(dataset.id);
    expect((await license(otherLab, dataset)).status).toBe(201);
    await asLab.get(`/datasets/${dataset.id}/files/content?path=a.bin`).expect(200);
    expect((await recordRun(dataset)).status).toBe(201);
  });

  describe('upstream dispute: open with the evidence file hashed, show, list, refusals by flag, close-expired, resolve', () => {
    let dir: string;
    const evidence = Buffer.from('a signed statement that the files are mine');
    const cli = async (index: number, args: string[]) => {
      const out = await runCli(['--api', t.baseUrl, ...args], {
        UPSTREAM_PRIVATE_KEY: t.chain.privateKey(index),
        UPSTREAM_RPC_URL: t.chain.rpcUrl,
      });
      return { ...out, json: out.code === 0 && args.includes('--json') ? JSON.parse(out.stdout) : undefined };
    };
    const openArgs = (extra: string[] = []) => [
      'dispute',
      'open',
      '--dataset',
      unrelated.id,
      '--label',
      'infringement',
      '--evidence-uri',
      'https://evidence.example/statement',
      '--claimed-owner',
      disputer,
      '--bond',
      bond.toString(),
      ...extra,
    ];

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'upstream-dispute-cli-'));
      await writeFile(join(dir, 'evidence.txt'), evidence);
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('opens a dispute with the evidence file’s SHA-256, approving the bond; show and list read it back', async () => {
      const opened = await cli(disputerIndex, ['--json', ...openArgs(['--evidence', join(dir, 'evidence.txt')])]);
      expect(opened.code, opened.stderr).toBe(0);
      expect(opened.json).toMatchObject({ id: '2', datasetId: unrelated.id, evidenceHash: '0x' + sha256(evidence) });
      await catchUp();
      const shown = await cli(disputerIndex, ['--json', 'dispute', 'show', '2']);
      expect(shown.json).toMatchObject({
        id: '2',
        status: 'open',
        label: 'INFRINGEMENT',
        evidenceHash: '0x' + sha256(evidence),
        opened: { txHash: opened.json.txHash },
      });
      const text = await cli(disputerIndex, ['dispute', 'show', '2']);
      expect(text.stdout).toContain('dispute 2  OPEN  INFRINGEMENT');
      expect(text.stdout).toContain('upstream dispute close-expired 2');
      const listed = await cli(disputerIndex, [
        '--json',
        'dispute',
        'list',
        '--dataset',
        unrelated.id,
        '--status',
        'open',
      ]);
      expect(listed.json).toMatchObject({ total: 1, items: [{ id: '2' }] });
      expect(await detail(unrelated)).toMatchObject({ tags: ['disputed'], openDisputes: ['2'] });
    });

    it('refuses bad flags, and what DisputeBonds refuses, naming the flag and the reason', async () => {
      const cases: [number, string[], string][] = [
        [
          disputerIndex,
          openArgs(['--evidence-hash', '0x' + '1'.repeat(64)]),
          `--dataset: ${unrelated.id} already has an open dispute (2)`,
        ],
        [
          disputerIndex,
          ['dispute', 'open', ...openArgs().slice(2, -2), '--bond', '5', '--evidence-hash', '0x' + '1'.repeat(64)],
          '--bond:',
        ],
        [disputerIndex, [...openArgs(), '--label', 'theft'], '--label: "theft" is not one of'],
        [disputerIndex, openArgs(), '--evidence: give the evidence file'],
        [
          disputerIndex,
          [...openArgs(), '--evidence-hash', '0x12'],
          '--evidence-hash: "0x12" is not a 32-byte hex digest',
        ],
        [
          disputerIndex,
          ['dispute', 'resolve', '2', '--uphold', '--rightful-owner', `${disputer}:5000`],
          '--rightful-owner: the shares sum to 5000',
        ],
        [disputerIndex, ['dispute', 'resolve', '2', '--uphold', '--reject'], '--uphold/--reject: give exactly one'],
        [
          disputerIndex,
          ['dispute', 'resolve', '2', '--uphold', '--rightful-owner', `${disputer}:10000`],
          'does not hold the arbiter role',
        ],
        [
          disputerIndex,
          ['dispute', 'close-expired', '2'],
          'id: closeExpired refused by DisputeBonds: dispute 2 cannot be closed before',
        ],
        [disputerIndex, ['dispute', 'show', '99'], 'DISPUTE_NOT_FOUND'],
      ];
      for (const [who, args, message] of cases) {
        const out = await cli(who, args);
        expect(out.code, args.join(' ')).not.toBe(0);
        expect(out.stderr, args.join(' ')).toContain(message);
      }
    });

    it('closes an expired dispute as rejected (anyone may), and an arbiter upholds the next one', async () => {
      await t.chain.provider.send('evm_increaseTime', [604_801]);
      await t.chain.provider.send('anvil_mine', ['0x1']);
      const closed = await cli(8, ['--json', 'dispute', 'close-expired', '2']);
      expect(closed.code, closed.stderr).toBe(0);
      await catchUp();
      expect((await t.http.get('/disputes/2').expect(200)).body).toMatchObject({
        status: 'rejected',
        resolution: { resolver: otherLab.address.toLowerCase(), event: { txHash: closed.json.txHash } },
      });

      const reopened = await cli(disputerIndex, ['--json', ...openArgs(['--evidence-hash', '0x' + '2'.repeat(64)])]);
      expect(reopened.code, reopened.stderr).toBe(0);
      const upheld = await cli(arbiterIndex, [
        'dispute',
        'resolve',
        reopened.json.id,
        '--uphold',
        '--rightful-owner',
        `${disputer}:10000`,
      ]);
      expect(upheld.code, upheld.stderr).toBe(0);
      expect(upheld.stdout).toContain(`dispute ${reopened.json.id} upheld in 0x`);
      await catchUp();
      expect(await detail(unrelated)).toMatchObject({ tags: ['disputed-upheld'], openDisputes: [] });
    });
  });
});

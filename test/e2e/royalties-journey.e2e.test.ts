import { randomUUID } from 'node:crypto';
import { Contract, ContractFactory, Interface, Wallet, type ContractRunner } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts } from '@upstream/chain';
import { rebuildEpoch, type EpochInputs } from '@upstream/royalties';
import { SettlementService } from '../../apps/api/src/royalties/settlement.service';
import { ChainSyncService } from '../../apps/api/src/worker/chain-sync.service';
import { verifyEpoch } from '../../apps/cli/src/commands/royalties.command';
import { startTestApp, type TestApp } from '../support/app';
import { parentDerivedOther, RoyaltyFixtures, type FixtureDataset, type FixtureRun } from '../support/royalty-fixtures';
import { CLI_BUILT, runCli } from '../support/cli';

const cli = runCli;
/** Votes (18 decimals) per smallest unit of tUSD (6 decimals): one vote per token earned. */
const VOTES_PER_UNIT = 10n ** 12n;

async function payRun(
  t: TestApp,
  payer: ContractRunner,
  runId: string,
  amount: bigint,
  tokenAddress = t.chain.deployment.contracts.PaymentToken!,
): Promise<string> {
  const token = new Contract(tokenAddress, artifacts.LocalToken.abi, payer);
  const splitter = new Contract(t.chain.deployment.contracts.RoyaltySplitter, artifacts.RoyaltySplitter.abi, payer);
  await (await token.approve(t.chain.deployment.contracts.RoyaltySplitter, amount)).wait();
  const receipt = await (await splitter.payRun(runId, tokenAddress, amount)).wait();
  return receipt.hash;
}

async function warp(t: TestApp, seconds: number): Promise<void> {
  await t.chain.provider.send('evm_increaseTime', [seconds]);
  await t.chain.provider.send('evm_mine', []);
}

describe('royalties journey: a lab pays a run, the epoch settles, contributors claim exact amounts', () => {
  let t: TestApp;
  let fx: RoyaltyFixtures;
  let token: string;
  let votes: string;
  let tokenContract: Contract;
  const addr = (i: number) => new Wallet(t.chain.privateKey(i)).address.toLowerCase();
  // Actors: A and B co-own the derived dataset (60/40), P owns its parent (10 % upstream), C owns a second dataset.
  let A: string, B: string, C: string, P: string, LAB: string;
  let parent: FixtureDataset, derived: FixtureDataset, other: FixtureDataset;
  let run: FixtureRun;
  const startBalances = new Map<string, bigint>();

  beforeAll(async () => {
    // The first epoch is built as soon as there is something to settle; later ones wait an hour unless forced.
    t = await startTestApp({ EPOCH_INTERVAL_MS: '3600000' }, { validateResponses: true });
    fx = RoyaltyFixtures.connect(t.database.url);
    [A, B, C, P, LAB] = [3, 4, 5, 6, 7].map(addr);
    token = t.chain.deployment.contracts.PaymentToken!.toLowerCase();
    votes = t.chain.deployment.contracts.UpstreamVotes.toLowerCase();
    tokenContract = new Contract(token, artifacts.LocalToken.abi, t.chain.provider);
    ({ parent, derived, other, run } = await parentDerivedOther(fx, { a: A, b: B, c: C, p: P, lab: LAB }));
    for (const a of [A, B, C, P]) startBalances.set(a, await tokenContract.balanceOf(a));
  });
  afterAll(async () => {
    await fx?.close();
    await t?.close();
  });

  it('handles a RunPaid in the stated order: the license it pays for is activated, then the ledger allocates it', () => {
    expect(t.app.get(ChainSyncService).handlersOf('RunPaid')).toEqual(['licenses', 'ledger']);
    expect(t.app.get(ChainSyncService).handlersOf('Claimed')).toEqual(['settlement']);
  });

  it('allocates a payment into the ledger exactly: fee + shares == amount', async () => {
    await payRun(t, t.chain.wallet(7), run.runId, 1_000_001n);
    await t.tick();
    const payments = (await t.http.get(`/runs/${run.runId}/payments`).expect(200)).body;
    expect(payments.total).toBe(1);
    // The run's uuid names it too; a uuid no run has lists nothing.
    expect((await t.http.get(`/runs/${run.id}/payments`).expect(200)).body).toEqual(payments);
    expect((await t.http.get(`/runs/${randomUUID()}/payments`).expect(200)).body).toEqual({ total: 0, items: [] });
    // fee = floor(1,000,001 × 250 / 10,000) = 25,000 (the contract's), net 975,001
    expect(payments.items[0]).toMatchObject({
      amount: '1000001',
      fee: '25000',
      net: '975001',
      status: 'allocated',
      source: 'run',
      ledgerTotal: '975001',
    });
    // net 975,001 by weight 3:1 → derived 731,251 (larger remainder), other 243,750;
    // derived: 10 % upstream → parent 73,125; owners 658,126 → A 60 % 394,876, B 40 % 263,250.
    const expected: Record<string, string> = { [A]: '394876', [B]: '263250', [C]: '243750', [P]: '73125' };
    // The same tick proposed epoch 1: everything earned waits in its queued root until its delay passes.
    const epoch1 = (await t.http.get('/epochs/1').expect(200)).body;
    expect(epoch1).toMatchObject({ status: 'proposed', claimableAt: expect.any(String) });
    for (const [account, earned] of Object.entries(expected)) {
      const res = await t.http.get(`/contributors/${account}/balances`).expect(200);
      expect(res.body.balances).toEqual([
        {
          token,
          earned,
          claimed: '0',
          inCurrentRoot: '0',
          claimable: '0',
          pending: earned,
          queued: earned,
          queuedClaimableAt: epoch1.claimableAt,
        },
      ]);
    }
    expect(await fx.invariantViolations()).toEqual([]);
    const history = (await t.http.get(`/contributors/${A}/history`).expect(200)).body;
    expect(history.items).toEqual([
      expect.objectContaining({ runId: run.runId, datasetId: derived.contentRoot, amount: '394876', source: 'run' }),
    ]);
  });

  it('settles an epoch: root proposed through the outbox, accepted after the delay', async () => {
    await t.tick(); // settle job builds epoch 1 and the outbox sends proposeRoot; the indexer sees RootProposed
    let epoch = (await t.http.get('/epochs/1').expect(200)).body;
    // Four balances, and beside them four votes leaves: one vote per whole token earned (tUSD has 6 decimals).
    const votesTotal = { token: votes, total: (975_001n * VOTES_PER_UNIT).toString(), accounts: 4 };
    expect(epoch).toMatchObject({
      epoch: 1,
      status: 'proposed',
      leafCount: 8,
      paymentCount: 1,
      totals: [{ token, total: '975001', accounts: 4 }, votesTotal].sort((x, y) => (x.token < y.token ? -1 : 1)),
    });
    await warp(t, 61);
    await t.tick(); // accept job queues acceptRoot; the outbox sends it
    await t.tick();
    epoch = (await t.http.get('/epochs/1').expect(200)).body;
    expect(epoch).toMatchObject({ status: 'accepted', current: true });
    const splitter = new Contract(
      t.chain.deployment.contracts.RoyaltySplitter,
      artifacts.RoyaltySplitter.abi,
      t.chain.provider,
    );
    expect((await splitter.currentRoot()).toLowerCase()).toBe(epoch.root);
    const balances = (await t.http.get(`/contributors/${A}/balances`).expect(200)).body;
    expect(balances).toMatchObject({
      currentEpoch: 1,
      balances: [{ earned: '394876', inCurrentRoot: '394876', claimable: '394876', pending: '0' }],
    });
    const leaves = (await t.http.get('/epochs/1/leaves?limit=2&offset=0').expect(200)).body;
    expect(leaves).toMatchObject({
      epoch: 1,
      total: 8,
      leafEncoding: ['uint256', 'address', 'address', 'address', 'uint256'],
    });
    expect(leaves.items).toHaveLength(2);
  });

  it('rebuilds the root from public inputs alone (same rules, libs/royalties)', async () => {
    const inputs: EpochInputs = (await t.http.get('/epochs/1/inputs').expect(200)).body;
    expect(inputs.payments).toHaveLength(1);
    expect(Object.keys(inputs.datasets).sort()).toEqual([parent, derived, other].map((d) => d.contentRoot).sort());
    expect(inputs.votes).toEqual({ token: votes, perUnit: { [token]: VOTES_PER_UNIT.toString() } });
    const rebuilt = await rebuildEpoch(inputs);
    expect(rebuilt.root).toBe(inputs.root);
    expect(rebuilt.dataHash).toBe(inputs.dataHash);
    expect(rebuilt.balances.find((b) => b.token === votes && b.account === A)?.cumulative).toBe(
      394_876n * VOTES_PER_UNIT,
    );
    // Without the votes leaves the root is another: the rule is part of what is verified.
    expect((await rebuildEpoch({ ...inputs, votes: null })).root).not.toBe(inputs.root);
  });

  it('the verifier reports a mismatch when published inputs disagree with the chain', async () => {
    const inputs: EpochInputs = (await t.http.get('/epochs/1/inputs').expect(200)).body;
    const reweighted = structuredClone(inputs);
    reweighted.payments[0].entries[0].weight = '4';
    const report = await verifyEpoch(t.chain.provider, reweighted);
    expect(report).toMatchObject({ match: false, chainRoot: inputs.root, paymentProblems: [] });
    const inflated = structuredClone(inputs);
    inflated.payments[0].net = '975002';
    const inflatedReport = await verifyEpoch(t.chain.provider, inflated);
    expect(inflatedReport.match).toBe(false);
    expect(inflatedReport.paymentProblems).toEqual([
      expect.stringContaining('net is 975002 in the API, 975001 on-chain'),
    ]);
    expect((await verifyEpoch(t.chain.provider, inputs)).match).toBe(true);
  });

  it.skipIf(!CLI_BUILT)(
    '`upstream verify-epoch` agrees with the chain (and `royalties` shows the balance)',
    async () => {
      const verified = await cli(['--api', t.baseUrl, '--json', 'verify-epoch', '1', '--rpc', t.chain.rpcUrl]);
      expect(verified.stderr).toBe('');
      expect(verified.code).toBe(0);
      expect(JSON.parse(verified.stdout)).toMatchObject({
        epoch: 1,
        match: true,
        dataHashMatches: true,
        paymentProblems: [],
      });
      const shown = await cli(['--api', t.baseUrl, 'royalties', '--account', A]);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toContain('claimable now 394876');
    },
  );

  it('contributors claim: CLI (claim), API call data (claim and claimMany); wallets receive exact amounts', async () => {
    if (CLI_BUILT) {
      const claimed = await cli(['--api', t.baseUrl, '--json', 'claim', '--rpc', t.chain.rpcUrl], {
        UPSTREAM_PRIVATE_KEY: t.chain.privateKey(3),
      });
      expect(claimed.stderr).toBe('');
      // One claimWithVotes transaction: the royalties and the votes they earned.
      expect(JSON.parse(claimed.stdout)).toMatchObject({
        claimed: [{ token, amount: '394876', cumulative: '394876' }],
        votesMinted: (394_876n * VOTES_PER_UNIT).toString(),
      });
      const votesContract = new Contract(votes, artifacts.UpstreamVotes.abi, t.chain.provider);
      expect(await votesContract.balanceOf(A)).toBe(394_876n * VOTES_PER_UNIT);
    } else {
      const proofs = (await t.http.get(`/contributors/${A}/proofs`).expect(200)).body;
      await (await t.chain.wallet(3).sendTransaction(proofs.claims[0].call)).wait();
    }
    for (const [i, account] of [
      [4, B],
      [5, C],
    ] as const) {
      const proofs = (await t.http.get(`/contributors/${account}/proofs`).expect(200)).body;
      expect(proofs).toMatchObject({
        epoch: 1,
        claims: [{ token, claimed: '0' }],
        votes: { votes, claimed: '0' },
      });
      await (await t.chain.wallet(i).sendTransaction(proofs.claims[0].call)).wait();
    }
    // Anyone may claim on P's behalf; the tokens still go to P.
    const forP = (await t.http.get(`/contributors/${P}/proofs`).expect(200)).body;
    await (await t.chain.wallet(9).sendTransaction(forP.claimMany)).wait();

    const expected: Record<string, bigint> = { [A]: 394_876n, [B]: 263_250n, [C]: 243_750n, [P]: 73_125n };
    for (const [account, amount] of Object.entries(expected)) {
      expect((await tokenContract.balanceOf(account)) - startBalances.get(account)!).toBe(amount);
    }
    await t.tick();
    for (const [account, amount] of Object.entries(expected)) {
      const res = (await t.http.get(`/contributors/${account}/balances`).expect(200)).body;
      expect(res.balances).toEqual([
        {
          token,
          earned: `${amount}`,
          claimed: `${amount}`,
          inCurrentRoot: `${amount}`,
          claimable: '0',
          pending: '0',
          queued: '0',
          queuedClaimableAt: null,
        },
      ]);
    }
    const again = (await t.http.get(`/contributors/${A}/proofs`).expect(200)).body;
    expect(again.claimMany).toBeNull();
  });

  it('holds a payment for an unknown run as unallocated, and allocates it once the run is recorded', async () => {
    const runId = '0x' + 'ee'.repeat(32);
    await payRun(t, t.chain.wallet(7), runId, 10_000n);
    await t.tick();
    let list = (await t.http.get('/payments?status=unallocated').expect(200)).body;
    expect(list.items).toEqual([
      expect.objectContaining({
        runId,
        amount: '10000',
        fee: '250',
        net: '9750',
        status: 'unallocated',
        ledgerTotal: '0',
      }),
    ]);
    await fx.run({ lab: LAB, runId, entries: [{ dataset: other, weight: 5n }] });
    await t.tick();
    list = (await t.http.get(`/runs/${runId}/payments`).expect(200)).body;
    expect(list.items[0]).toMatchObject({ status: 'allocated', ledgerTotal: '9750' });
    expect((await t.http.get('/payments?status=unallocated').expect(200)).body.total).toBe(0);
    expect(await fx.invariantViolations()).toEqual([]);
  });

  it('allocates a license fee payment to the licensed dataset like a one-entry run', async () => {
    const license = await fx.license({ dataset: derived, licensee: LAB });
    await payRun(t, t.chain.wallet(7), license.paymentRef, 100_000n);
    await t.tick();
    const [payment] = (await t.http.get(`/runs/${license.paymentRef}/payments`).expect(200)).body.items;
    expect(payment).toMatchObject({ source: 'license', status: 'allocated', net: '97500', ledgerTotal: '97500' });
    expect(await fx.invariantViolations()).toEqual([]);
  });

  it('settles the next epoch with cumulative balances, and claims pay only the difference', async () => {
    await t.tick();
    expect((await t.http.get('/epochs/2').expect(404)).body.error).toBe('EPOCH_NOT_FOUND'); // EPOCH_INTERVAL_MS not over yet
    expect(await t.app.get(SettlementService).settle(true)).toBe(2);
    await t.tick(); // the outbox sends proposeRoot(epoch 2) over the two new payments
    const epoch2 = (await t.http.get('/epochs/2').expect(200)).body;
    expect(epoch2).toMatchObject({ status: 'proposed', paymentCount: 3 });
    await warp(t, 61);
    await t.tick();
    await t.tick();
    expect((await t.http.get('/epochs/2').expect(200)).body.status).toBe('accepted');
    expect((await t.http.get('/epochs/1').expect(200)).body).toMatchObject({ status: 'accepted', current: false });
    // C earned 9,750 more (the late run); A: 60 % of 90 % of 97,500 = 52,650 more (license).
    const c = (await t.http.get(`/contributors/${C}/balances`).expect(200)).body.balances[0];
    expect(c).toMatchObject({ earned: '253500', claimed: '243750', claimable: '9750', pending: '0' });
    const a = (await t.http.get(`/contributors/${A}/balances`).expect(200)).body.balances[0];
    expect(a).toMatchObject({ earned: '447526', claimable: '52650' });
    const list = (await t.http.get('/epochs').expect(200)).body;
    expect(list.items.map((e: { epoch: number }) => e.epoch)).toEqual([2, 1]);
  });

  it.skipIf(!CLI_BUILT)(
    '`upstream claim` claims several tokens and the new votes in one claimWithVotes transaction',
    async () => {
      const factory = new ContractFactory(artifacts.LocalToken.abi, artifacts.LocalToken.bytecode, t.chain.wallet(9)); // not 0: the operator's nonces belong to the outbox
      const minter = await t.chain.wallet(7).getAddress();
      const second = (await (await factory.deploy('Second', 'SND', 18, minter)).waitForDeployment()) as Contract;
      const secondAddress = (await second.getAddress()).toLowerCase();
      await (await (second.connect(t.chain.wallet(7)) as Contract).mint(LAB, 1_000n)).wait();
      await payRun(t, t.chain.wallet(7), run.runId, 1_000n, secondAddress);
      await t.tick();
      expect(await t.app.get(SettlementService).settle(true)).toBe(3);
      await t.tick();
      await warp(t, 61);
      await t.tick();
      await t.tick();
      expect((await t.http.get('/epochs/3').expect(200)).body.status).toBe('accepted');
      // 975 net by 3:1 → derived 731, other 244; derived → parent 73, owners 658 → A 395, B 263.
      const claimed = await cli(['--api', t.baseUrl, '--json', 'claim', '--rpc', t.chain.rpcUrl], {
        UPSTREAM_PRIVATE_KEY: t.chain.privateKey(3),
      });
      expect(claimed.stderr).toBe('');
      const result = JSON.parse(claimed.stdout);
      expect(result.claimed).toHaveLength(2);
      expect(result.claimed).toEqual(
        expect.arrayContaining([
          { token, amount: '52650', cumulative: '447526' },
          { token: secondAddress, amount: '395', cumulative: '395' },
        ]),
      );
      // A's license royalties earned 52,650 more votes (the second token earns none): one claimWithVotes.
      expect(result.votesMinted).toBe((52_650n * VOTES_PER_UNIT).toString());
      const receipt = await t.chain.provider.getTransactionReceipt(result.txHash);
      const tx = await t.chain.provider.getTransaction(result.txHash);
      expect(receipt?.status).toBe(1);
      expect(tx?.data.slice(0, 10)).toBe(
        new Interface(artifacts.UpstreamVotes.abi).getFunction('claimWithVotes')!.selector,
      );
      expect(await second.balanceOf(A)).toBe(395n);
    },
  );

  it('does not build an epoch while nothing new was allocated', async () => {
    expect(await t.app.get(SettlementService).settle(true)).toBeUndefined();
  });

  it('refuses bad input with a 4xx naming the field; an unknown account is empty, not an error', async () => {
    const unknown = (await t.http.get(`/contributors/0x${'12'.repeat(20)}/balances`).expect(200)).body;
    expect(unknown).toMatchObject({ currentEpoch: CLI_BUILT ? 3 : 2, balances: [] });
    expect((await t.http.get(`/contributors/0x${'12'.repeat(20)}/proofs`).expect(200)).body.claims).toEqual([]);
    const bad = (await t.http.get('/contributors/0x1234/balances').expect(400)).body;
    expect(bad).toMatchObject({
      error: 'VALIDATION_FAILED',
      details: [{ field: 'address', reason: 'address must be 0x followed by 40 hex digits' }],
    });
    const missing = (await t.http.get('/epochs/99').expect(404)).body;
    expect(missing).toMatchObject({ error: 'EPOCH_NOT_FOUND', details: [{ field: 'epoch' }] });
    await t.http.get('/epochs/99/leaves').expect(404);
    await t.http.get('/epochs/99/inputs').expect(404);
    const notNumber = (await t.http.get('/epochs/abc').expect(400)).body;
    expect(notNumber.details[0].field).toBe('epoch');
    const badRun = (await t.http.get('/runs/0x12/payments').expect(400)).body;
    expect(badRun.details[0].field).toBe('runId');
    const badPage = (await t.http.get(`/contributors/${A}/history?limit=0`).expect(400)).body;
    expect(badPage.details[0].field).toBe('limit');
    expect((await t.http.get('/payments?status=lost').expect(400)).body.details[0].field).toBe('status');
  });

  it('lists its endpoints in the OpenAPI document', async () => {
    const paths = Object.keys((await t.http.get('/docs/json').expect(200)).body.paths);
    for (const p of [
      '/contributors/{address}/balances',
      '/contributors/{address}/proofs',
      '/epochs/{epoch}/inputs',
      '/payments',
      '/runs/{runId}/payments',
    ]) {
      expect(paths).toContain(p);
    }
  });
});

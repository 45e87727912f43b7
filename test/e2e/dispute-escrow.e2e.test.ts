import { Contract, Wallet, ethers, toBeHex } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts, LocalChain } from '@upstream/chain';
import type { EpochInputs } from '@upstream/api-contract';
import { rebuildEpoch } from '@upstream/royalties';
import { SettlementService } from '../../apps/api/src/royalties/settlement.service';
import { verifyEpoch, verifyEpochLines } from '../../apps/cli/src/commands/royalties.command';
import { startTestApp, type TestApp } from '../support/app';
import { payRunWith } from '../support/chain';
import { parentDerivedOther, RoyaltyFixtures, type FixtureDataset, type FixtureRun } from '../support/royalty-fixtures';

describe('dispute escrow: an open dispute holds the owners’ shares; its resolution releases them; every epoch verifies', () => {
  let t: TestApp;
  let fx: RoyaltyFixtures;
  let token: string;
  let tokenContract: Contract;
  const arbiterIndex = 5;
  const disputerIndex = 9;
  const addr = (i: number) => new Wallet(t.chain.privateKey(i)).address.toLowerCase();
  // A and B co-own `derived` (60/40), whose parent P takes 10 % upstream; R is its rightful owner; C owns `other`;
  // D owns `contested`, whose dispute is rejected.
  let A: string, B: string, C: string, D: string, P: string, R: string, LAB: string;
  let derived: FixtureDataset, contested: FixtureDataset;
  let run: FixtureRun, contestedRun: FixtureRun;
  let epoch = 0;

  const rpc = (method: string, params: unknown[] = []) => t.chain.provider.send(method, params);
  // Plain wallets (not t.chain.wallet's NonceManager), which ask the chain for their nonce after a revert too.
  const signer = (index: number) => new Wallet(t.chain.privateKey(index), t.chain.provider);
  const bondsAs = (index: number) =>
    new Contract(t.chain.deployment.contracts.DisputeBonds!, artifacts.DisputeBonds.abi, signer(index));
  const balances = async (account: string) =>
    (await t.http.get(`/contributors/${account}/balances`).expect(200)).body as {
      balances: { earned: string; claimable: string }[];
      escrow: { disputeId: string; datasetId: string; token: string; amount: string }[];
    };
  const earned = async (account: string) => (await balances(account)).balances[0]?.earned ?? '0';
  const pay = (r: FixtureRun, amount: bigint) => payRunWith(t.chain.deployment, signer(7), r.runId, amount);

  async function openDispute(dataset: FixtureDataset, claimed: string, bond: bigint): Promise<void> {
    const { PaymentToken, DisputeBonds } = t.chain.deployment.contracts;
    const disputer = signer(disputerIndex);
    await (await new Contract(PaymentToken!, artifacts.LocalToken.abi, disputer).approve(DisputeBonds!, bond)).wait();
    await (
      await bondsAs(disputerIndex).getFunction('open')({
        datasetId: dataset.contentRoot,
        label: 1,
        evidenceHash: ethers.id('evidence'),
        evidenceUri: 'ipfs://evidence',
        claimedOwners: [claimed],
        token: PaymentToken,
        bond,
      })
    ).wait();
  }

  /** Builds the next epoch and checks that the published inputs rebuild its root, as `verify-epoch` does. */
  async function settleAndVerify(): Promise<EpochInputs> {
    await t.tick();
    epoch += 1;
    if (epoch > 1) expect(await t.app.get(SettlementService).settle(true)).toBe(epoch);
    await t.tick(); // proposeRoot sent, RootProposed indexed
    const inputs: EpochInputs = (await t.http.get(`/epochs/${epoch}/inputs`).expect(200)).body;
    expect((await rebuildEpoch(inputs)).root).toBe(inputs.root);
    expect(await verifyEpoch(t.chain.provider, inputs)).toMatchObject({ match: true, paymentProblems: [] });
    // The CLI's form: the NDJSON stream, whose header line carries the disputes.
    const [header, ...lines] = (await t.http.get(`/epochs/${epoch}/inputs.ndjson`).expect(200)).text.split('\n');
    const streamed = await verifyEpochLines(t.chain.provider, JSON.parse(header).epoch, lines);
    expect(streamed).toMatchObject({ match: true, rebuiltRoot: inputs.root });
    expect(await fx.invariantViolations()).toEqual([]);
    return inputs;
  }

  beforeAll(async () => {
    const arbiter = new Wallet(LocalChain.devPrivateKey(arbiterIndex)).address;
    t = await startTestApp(
      { EPOCH_INTERVAL_MS: '3600000' },
      { validateResponses: true, chain: { arbiters: [arbiter] } },
    );
    fx = RoyaltyFixtures.connect(t.database.url);
    [A, B, C, R, LAB] = [3, 4, 6, 8, 7].map(addr);
    [D, P] = ['D', 'P'].map((name) => new Wallet(ethers.id(name)).address.toLowerCase());
    token = t.chain.deployment.contracts.PaymentToken!.toLowerCase();
    tokenContract = new Contract(token, artifacts.LocalToken.abi, t.chain.provider);
    ({ derived, run } = await parentDerivedOther(fx, { a: A, b: B, c: C, p: P, lab: LAB }));
    contested = await fx.dataset({ owners: [{ account: D, shareBps: 10_000 }] });
    contestedRun = await fx.run({ lab: LAB, entries: [{ dataset: contested, weight: 1n }] });
  });
  afterAll(async () => {
    await fx?.close();
    await t?.close();
  });

  it('holds the disputed owners’ shares of a new payment in escrow; the parent and the other dataset are paid', async () => {
    await openDispute(derived, R, 10_000_000n);
    await t.tick();
    await pay(run, 1_000_001n);
    await t.tick();
    // net 975,001 by weight 3:1 → derived 731,251, other 243,750; derived: parent 73,125, owners 658,126 (A 394,876, B 263,250).
    expect(await balances(A)).toMatchObject({
      balances: [],
      escrow: [{ disputeId: '1', datasetId: derived.contentRoot, token, amount: '394876' }],
    });
    expect((await balances(B)).escrow).toEqual([
      { disputeId: '1', datasetId: derived.contentRoot, token, amount: '263250' },
    ]);
    expect(await earned(P)).toBe('73125');
    expect(await earned(C)).toBe('243750');
    const [payment] = (await t.http.get(`/runs/${run.runId}/payments`).expect(200)).body.items;
    expect(payment).toMatchObject({ status: 'allocated', ledgerTotal: '316875' });
    expect(await fx.invariantViolations()).toEqual([]);
  });

  it('epoch 1 lists the open dispute and leaves the escrow out of its leaves; it verifies', async () => {
    const inputs = await settleAndVerify();
    expect(inputs.disputes).toEqual([
      { disputeId: '1', datasetId: derived.contentRoot, opened: expect.any(Object), resolution: null },
    ]);
    const rebuilt = await rebuildEpoch(inputs);
    expect(rebuilt.escrow.map((e) => [e.account, e.amount])).toEqual(
      [
        [A, 394_876n],
        [B, 263_250n],
      ].sort(),
    );
    expect(rebuilt.balances.some((b) => b.account === A || b.account === B)).toBe(false);
  });

  it('upheld: the escrow goes to the rightful owner, and a later payment pays it directly; epoch 2 verifies', async () => {
    await (await bondsAs(arbiterIndex).getFunction('uphold')(1, [R], [10_000])).wait();
    await t.tick();
    expect((await balances(A)).escrow).toEqual([]);
    expect(await earned(R)).toBe('658126');
    const history = (await t.http.get(`/contributors/${R}/history`).expect(200)).body;
    expect(history.items).toEqual([expect.objectContaining({ datasetId: derived.contentRoot, amount: '658126' })]);

    await pay(run, 1_000_001n);
    await t.tick();
    expect(await earned(R)).toBe('1316252');
    expect(await earned(A)).toBe('0');
    expect(await earned(P)).toBe('146250');
    const inputs = await settleAndVerify();
    expect(inputs.disputes[0].resolution).toMatchObject({
      outcome: 'upheld',
      rightfulOwners: [{ account: R, shareBps: 10_000 }],
    });
  });

  it('the rightful owner claims the released escrow on chain with a proof', async () => {
    await rpc('evm_increaseTime', [61]);
    await rpc('anvil_mine', [toBeHex(1)]);
    await t.tick();
    await t.tick();
    expect((await t.http.get(`/epochs/${epoch}`).expect(200)).body).toMatchObject({ status: 'accepted' });
    const before: bigint = await tokenContract.balanceOf(R);
    const proofs = (await t.http.get(`/contributors/${R}/proofs`).expect(200)).body;
    await (await signer(8).sendTransaction(proofs.claims[0].call)).wait();
    expect((await tokenContract.balanceOf(R)) - before).toBe(1_316_252n);
  });

  it('rejected: a rollback of the resolution holds the escrow again; the final one returns it and pays the bond', async () => {
    await openDispute(contested, R, 10_000_000n);
    await t.tick();
    await pay(contestedRun, 100_000n); // fee 2,500, net 97,500 held for D
    await t.tick();
    expect((await balances(D)).escrow).toEqual([
      { disputeId: '2', datasetId: contested.contentRoot, token, amount: '97500' },
    ]);
    const inputs = await settleAndVerify();
    expect(inputs.disputes.map((d) => [d.disputeId, d.resolution?.outcome ?? null])).toEqual([
      ['1', 'upheld'],
      ['2', null],
    ]);

    const snapshot: string = await rpc('evm_snapshot');
    await (await bondsAs(arbiterIndex).getFunction('reject')(2)).wait();
    await t.tick();
    // The bond (10,000,000, fee 250,000) and the escrow go to D.
    expect(await earned(D)).toBe(String(97_500 + 9_750_000));
    expect((await balances(D)).escrow).toEqual([]);
    await rpc('evm_revert', [snapshot]);
    await rpc('anvil_mine', [toBeHex(3)]);
    await t.tick();
    expect(await earned(D)).toBe('0');
    expect((await balances(D)).escrow).toEqual([
      { disputeId: '2', datasetId: contested.contentRoot, token, amount: '97500' },
    ]);
    expect(await fx.invariantViolations()).toEqual([]);

    await (await bondsAs(arbiterIndex).getFunction('reject')(2)).wait();
    await t.tick();
    await pay(contestedRun, 100_000n);
    await t.tick();
    expect(await earned(D)).toBe(String(97_500 + 9_750_000 + 97_500));
    const [bond] = (await t.http.get('/payments?status=allocated').expect(200)).body.items.filter(
      (p: { source: string }) => p.source === 'bond',
    );
    expect(bond).toMatchObject({ amount: '10000000', fee: '250000', ledgerTotal: '9750000' });
    const last = await settleAndVerify();
    expect(last.payments.find((p) => p.source === 'bond')?.entries).toEqual([
      { datasetId: contested.contentRoot, weight: '1' },
    ]);
    expect(last.disputes[1].resolution).toMatchObject({ outcome: 'rejected', rightfulOwners: [] });
  });
});
